#!/usr/bin/env bash
# A local PostgreSQL for ./run.sh and the tests, made with the machine's own PostgreSQL binaries.
#   scripts/postgres.sh start DATA_DIR PORT   init (first time) and start; prints the connection string last
#   scripts/postgres.sh stop DATA_DIR
#   scripts/postgres.sh check                  install PostgreSQL when missing
# TRACKING_PG_FAST=1 turns fsync off: for throwaway test databases only.
set -euo pipefail

cmd=${1:?usage: postgres.sh start DATA_DIR PORT | stop DATA_DIR | check}

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL is not installed; install the 'postgresql' package." >&2; exit 1; fi
    echo "Installing PostgreSQL with apt..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

# initdb refuses to run as root: as root, the cluster belongs to the postgres user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(bindir)
command -v psql >/dev/null || { echo "psql is missing; install the 'postgresql-client' package." >&2; exit 1; }
if [ "$cmd" = check ]; then echo "$bin"; exit 0; fi

data=${2:?data directory}
port=${3:-55432}
mkdir -p "$data"
data=$(cd "$data" && pwd)

case "$cmd" in
  start)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$data"
      if ! runuser -u postgres -- test -x "$data"; then
        echo "The postgres user cannot reach $data (a parent directory is closed to it); choose another place." >&2
        exit 1
      fi
    fi
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
      password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
      pwfile=$(mktemp)
      echo "$password" > "$pwfile"
      if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi
      as_owner "$bin/initdb" -D "$data" -U tracking --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$pwfile"
      echo "$password" > "$data/tracking-password"
      chmod 600 "$data/tracking-password"
      {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$data'"
        echo "max_connections = 200"
        if [ "${TRACKING_PG_FAST:-}" = 1 ]; then echo "fsync = off"; echo "full_page_writes = off"; fi
      } >> "$data/postgresql.conf"
    fi
    password=$(cat "$data/tracking-password")
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port" -w -t 60 start >/dev/null
    fi
    export PGPASSWORD=$password
    if ! psql -h 127.0.0.1 -p "$port" -U tracking -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'tracking'" | grep -q 1; then
      psql -h 127.0.0.1 -p "$port" -U tracking -d postgres -qc "CREATE DATABASE tracking" >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$port;Username=tracking;Password=$password;Database=tracking"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "unknown command: $cmd" >&2; exit 2 ;;
esac
