#!/usr/bin/env bash
# Webhook fan-out: registers BENCH_ENDPOINTS webhooks (default 10) for email.opened, all pointing at a
# local nginx that answers 204, opens N emails (default 20,000) through the pixel, and measures how fast
# the N × endpoints deliveries are made, signed, sent and recorded, from the first delivery made to the
# last one recorded as delivered.
#   bench/webhooks.sh [emails]
set -euo pipefail
cd "$(dirname "$0")/.."
emails=${1:-20000}
endpoints=${BENCH_ENDPOINTS:-10}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool; }
done

dotnet build Tracking.sln -c Release -v quiet -nologo >/dev/null
dotnet build bench/LoadGen -c Release -v quiet -nologo >/dev/null

work=$(mktemp -d /tmp/tracking-webhooks-XXXX); chmod 755 "$work"; mkdir -p "$work/tmp"
export TRACKING_POSTGRES=$(bash scripts/postgres.sh start "$work/pg" 25436 | tail -n 1)
export TRACKING_URLS=http://127.0.0.1:18087 Orleans__SiloPort=21114 Orleans__GatewayPort=23003
export TRACKING_BOOTSTRAP_API_KEY=tk_bench_webhooks_0123456789abcdef
export TRACKING_WEBHOOKS_ALLOW_HTTP=true TRACKING_WEBHOOKS_ALLOWED_HOSTS=127.0.0.1
pids=()
cleanup() { set +e; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; bash scripts/postgres.sh stop "$work/pg"; rm -rf "$work"; }
trap cleanup EXIT

source bench/tracking.sh
start_tracking "$work"
sed -e "s#PREFIX#$work#g" -e "s#LOGS#$work#g" -e "s#PORT#18088#g" bench/nginx.conf >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" & pids+=($!)

for i in $(seq 1 "$endpoints"); do
  curl -sf -X POST "$TRACKING_URLS/v1/webhooks" -H "Authorization: Bearer $TRACKING_BOOTSTRAP_API_KEY" \
    -H 'Content-Type: application/json' -d "{\"url\":\"http://127.0.0.1:18088/hooks/$i\",\"events\":[\"email.opened\"]}" >/dev/null
done
dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$TRACKING_POSTGRES" "$emails" "$work"

BENCH_PATHS=$work/pixel-paths.txt BENCH_ORDER=sequential BENCH_THREADS=2 \
  wrk -t2 -c32 -d600s -s bench/paths.lua "$TRACKING_URLS/v1/track/open/x" >/dev/null & wrk=$!
expected=$((emails * endpoints))
while sleep 2; do
  opened=$(pg -c "SELECT count(*) FROM email_events WHERE type = 'opened'")
  [ "$opened" -ge "$emails" ] && break
done
kill -INT $wrk; wait $wrk || true
for _ in $(seq 1 300); do
  delivered=$(pg -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")
  [ "$delivered" -ge "$expected" ] && break
  sleep 1
done
echo "--- $(nproc) cores, $emails opens x $endpoints endpoints = $expected deliveries expected"
pg -c "SELECT status, count(*) FROM webhook_deliveries GROUP BY status ORDER BY status" | sed 's/^/status /'
pg -c "SELECT format('%s delivered in %s s: %s deliveries/s', count(*),
          round(extract(epoch FROM max(delivered_at) - min(created_at))::numeric, 1),
          round(count(*) / extract(epoch FROM max(delivered_at) - min(created_at))::numeric))
     FROM webhook_deliveries WHERE status = 'delivered'"
[ "$delivered" -ge "$expected" ]
