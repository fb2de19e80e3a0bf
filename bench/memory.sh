#!/usr/bin/env bash
# Memory after touching many distinct emails: loads N emails (default 1,000,000), opens each once through
# the pixel (wrk, each path once, in order), then prints the resident memory of Tracking's processes,
# now and at their peak. The target is under 1 GiB together.
#   bench/memory.sh [emails]      (BENCH_CONNECTIONS, default 64; BENCH_SILO, see bench/tracking.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
emails=${1:-1000000}
connections=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

dotnet build Tracking.sln -c Release -v quiet -nologo >/dev/null
dotnet build bench/LoadGen -c Release -v quiet -nologo >/dev/null

work=$(mktemp -d /tmp/tracking-memory-XXXX); chmod 755 "$work"
export TRACKING_POSTGRES=$(bash scripts/postgres.sh start "$work/pg" 25435 | tail -n 1)
export TRACKING_URLS=http://127.0.0.1:18084 Orleans__SiloPort=21113 Orleans__GatewayPort=23002
pids=()
cleanup() { set +e; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; bash scripts/postgres.sh stop "$work/pg"; rm -rf "$work"; }
trap cleanup EXIT

source bench/tracking.sh
start_tracking "$work"
dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$TRACKING_POSTGRES" "$emails" "$work"
mib() { awk -v k="$2" '$1 == k":" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
report() {
  local line total=0 i rss
  line=$(printf "%-24s" "$1")
  for i in "${!tracking_pids[@]}"; do
    rss=$(mib "${tracking_pids[$i]}" VmRSS); total=$((total + rss))
    line+=" ${tracking_names[$i]} $rss MiB (peak $(mib "${tracking_pids[$i]}" VmHWM))"
  done
  echo "$line  together $total MiB"
}
report "before:"

start=$(date +%s)
BENCH_PATHS=$work/pixel-paths.txt BENCH_ORDER=sequential BENCH_THREADS=2 \
  wrk -t2 -c"$connections" -d3600s -s bench/paths.lua "$TRACKING_URLS/v1/track/open/x" >"$work/wrk.txt" & wrk=$!
last=-1
while sleep 10; do
  opened=$(pg -c "SELECT count(*) FROM email_events WHERE type = 'opened'")
  report "$opened opened:"
  # Done when every email was opened, or when nothing moved for 10 s (each path has been sent once).
  if [ "$opened" -ge "$emails" ] || [ "$opened" -eq "$last" ]; then break; fi
  last=$opened
done
kill -INT $wrk; wait $wrk || true
seconds=$(( $(date +%s) - start ))
touched=$(pg -c "SELECT count(DISTINCT email_id) FROM email_events WHERE type = 'opened'")
echo "--- $touched distinct emails opened in ${seconds}s ($(grep RESULT "$work/wrk.txt"))"
report "after:"
sleep 70
report "70 s later:"
