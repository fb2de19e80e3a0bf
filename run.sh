#!/usr/bin/env bash
# Runs Tracking on this machine: builds, starts a local PostgreSQL under .data/ unless TRACKING_POSTGRES
# names one, then the Gateway with the silo in its process (http://127.0.0.1:8080 unless TRACKING_URLS
# says otherwise). TRACKING_SILO=separate runs the Silo and the Gateway as two processes instead.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Tracking.sln -c Release -v quiet -nologo

started_postgres=""
if [ -z "${TRACKING_POSTGRES:-}" ]; then
  TRACKING_POSTGRES=$(bash scripts/postgres.sh start .data/postgres "${TRACKING_PG_PORT:-55432}" | tail -n 1)
  export TRACKING_POSTGRES
  started_postgres=1
  echo "PostgreSQL is running with its data in .data/postgres"
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

export TRACKING_SILO=${TRACKING_SILO:-in-process}
if [ "$TRACKING_SILO" != in-process ]; then
  dotnet Silo/bin/Release/net10.0/Tracking.Silo.dll & pids+=($!)
fi
dotnet Gateway/bin/Release/net10.0/Tracking.Gateway.dll & pids+=($!)
echo "Tracking is starting on $TRACKING_URLS (health: $TRACKING_URLS/healthz). Ctrl-C stops it."
# If a process ends, stop the rest.
wait -n "${pids[@]}"
