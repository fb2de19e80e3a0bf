#!/usr/bin/env bash
# Runs Tracking on this machine: builds, starts a local PostgreSQL under .data/ unless TRACKING_POSTGRES
# names one, then the Silo serving the Gateway's endpoints in its process (http://127.0.0.1:8080 unless
# TRACKING_URLS says otherwise). TRACKING_SILO=separate runs the Silo and the Gateway as two processes instead.
# Ctrl-C stops everything it started.
#   ./run.sh project create NAME  makes a project and its first API key (shown once)
#   ./run.sh project list         lists the projects
#   ./run.sh rotate-signing-key   adds a click-signing key (running silos sign with it within a minute)
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The build bundles the dashboard with Node.js and npm.
bash scripts/install.sh node
dotnet build Tracking.sln -c Release -v quiet -nologo

started_postgres=""
if [ -z "${TRACKING_POSTGRES:-}" ]; then
  # Stopped on exit only when started here: another ./run.sh may be using it.
  pidfile=.data/postgres/postmaster.pid
  if ! { [ -f "$pidfile" ] && kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null; }; then started_postgres=1; fi
  TRACKING_POSTGRES=$(bash scripts/postgres.sh start .data/postgres "${TRACKING_PG_PORT:-55432}" | tail -n 1)
  export TRACKING_POSTGRES
  echo "PostgreSQL is running with its data in .data/postgres"
fi
# The key that seals the secrets kept in the database; made once, and kept beside it.
if [ -z "${TRACKING_SECRETS_KEY:-}" ]; then
  if [ ! -s .data/secrets-key ]; then
    mkdir -p .data
    (umask 077 && head -c 32 /dev/urandom | base64 > .data/secrets-key)
    echo "Made the secrets key in .data/secrets-key: keep it with the database, and safe"
  fi
  TRACKING_SECRETS_KEY=$(cat .data/secrets-key)
  export TRACKING_SECRETS_KEY
fi
export TRACKING_URLS=${TRACKING_URLS:-http://127.0.0.1:8080}

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$started_postgres" ]; then bash scripts/postgres.sh stop .data/postgres; fi
}
trap stop EXIT INT TERM

# An operator's command runs against the database and ends.
if [ $# -gt 0 ]; then
  dotnet Silo/bin/Release/net10.0/Tracking.Silo.dll "$@"
  exit
fi

export TRACKING_SILO=${TRACKING_SILO:-in-process}
dotnet Silo/bin/Release/net10.0/Tracking.Silo.dll & pids+=($!)
if [ "$TRACKING_SILO" != in-process ]; then
  dotnet Gateway/bin/Release/net10.0/Tracking.Gateway.dll & pids+=($!)
fi
echo "Tracking is starting on $TRACKING_URLS (ready when $TRACKING_URLS/readyz says so). Ctrl-C stops it."
# If a process ends, stop the rest.
wait -n "${pids[@]}"
