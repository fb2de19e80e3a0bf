# Sourced by the benchmarks: starts Tracking as ./run.sh does, on the settings the script exported.
#   BENCH_SILO=in-process (default)  one process: the Silo serving the Gateway's endpoints
#   BENCH_SILO=separate              a Silo process and a Gateway process (the cluster's shape)
# Appends the processes to pids (for cleanup) and sets tracking_pids and tracking_names (for CPU and memory).
# pg runs psql, with its own arguments, on the database $TRACKING_POSTGRES names.
# The key that seals the secrets the database keeps: a new one for each benchmark's new database.
export TRACKING_SECRETS_KEY=${TRACKING_SECRETS_KEY:-$(head -c 32 /dev/urandom | base64)}
pg() {
  PGPASSWORD=$(sed -E 's/.*Password=([^;]*).*/\1/' <<<"$TRACKING_POSTGRES") \
    psql -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$TRACKING_POSTGRES")" -U tracking -d tracking -qAt "$@"
}
start_tracking() { # log-directory
  local gateway=Gateway/bin/Release/net10.0/Tracking.Gateway.dll
  # The per-address limit stays on, above the load (wrk is one address), so that its cost is measured.
  export TRACKING_TRACK_RATE_LIMIT=${TRACKING_TRACK_RATE_LIMIT:-10000000}
  if [ "${BENCH_SILO:-in-process}" = separate ]; then
    dotnet Silo/bin/Release/net10.0/Tracking.Silo.dll >"$1/silo.log" 2>&1 & pids+=($!); tracking_pids=($!)
    TRACKING_SILO=separate dotnet $gateway >"$1/gateway.log" 2>&1 & pids+=($!); tracking_pids+=($!)
    tracking_names=(silo gateway)
  else
    TRACKING_SILO=in-process dotnet Silo/bin/Release/net10.0/Tracking.Silo.dll >"$1/gateway.log" 2>&1 & pids+=($!); tracking_pids=($!)
    tracking_names=(gateway+silo)
  fi
  until curl -sf "$TRACKING_URLS/readyz" >/dev/null; do sleep 0.5; done
}
