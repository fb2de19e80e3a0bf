#!/usr/bin/env bash
# Analytics benchmark: a project with 1,000,000 events over 90 days across 100,000 emails, then the
# latency (wrk, one connection) of /v1/metrics?days=90&group_by=day and of the first and 500th page of
# /v1/events by cursor (the last page, when there are fewer), beside /readyz (one grain call and a
# trivial query) as the baseline of the same run.
#   bench/analytics.sh [events] [emails]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
emails=${2:-100000}
duration=${BENCH_SECONDS:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

dotnet build Tracking.sln -c Release -v quiet -nologo >/dev/null
work=$(mktemp -d /tmp/tracking-bench-XXXX); chmod 755 "$work"
export TRACKING_POSTGRES=$(TRACKING_PG_FAST=1 bash scripts/postgres.sh start "$work/pg" 25432 | tail -n 1)
export TRACKING_URLS=http://127.0.0.1:18080 TRACKING_BOOTSTRAP_API_KEY=tk_bench_analytics_key Orleans__SiloPort=21111 Orleans__GatewayPort=23000
pids=()
cleanup() { set +e; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; bash scripts/postgres.sh stop "$work/pg"; rm -rf "$work"; }
trap cleanup EXIT
source bench/tracking.sh
start_tracking "$work"

echo "Loading $emails emails and $events events over 90 days..."
start=$(date +%s.%N)
pg <<SQL
INSERT INTO emails (id, project_id, created_at, from_address, to_addresses, subject, html, tags, track_open, track_click,
                    links, message_id, status)
SELECT gen_random_uuid(), p.id, now() - interval '90 days' * random(), 'news@acme.example',
       ARRAY['r' || i || '@example.com'], 'Bench ' || (i % 10), '<p>bench</p>',
       jsonb_build_array(jsonb_build_object('name', 'campaign', 'value', 'c' || (i % 20))), true, true,
       ARRAY['https://shop.example/a', 'https://shop.example/b'], i || '@acme.example', 'sent'
FROM generate_series(1, $emails) i, (SELECT id FROM projects WHERE name = 'default') p;
CREATE TEMP TABLE bench_emails AS SELECT row_number() OVER () AS n, id, project_id, created_at FROM emails;
-- Events in time order, as they would have been committed: sent and delivered once per email, then opens
-- and clicks; ordered by time so the log's sequence follows the clock.
INSERT INTO email_events (id, email_id, project_id, type, created_at, ip_address, user_agent, link)
SELECT gen_random_uuid(), e.id, e.project_id, g.type, g.at, '203.0.113.0', 'Bench/1.0',
       CASE WHEN g.type = 'clicked' THEN (ARRAY['https://shop.example/a', 'https://shop.example/b'])[1 + (g.k % 2)] END
FROM (
  SELECT 1 + (k % $emails) AS n, k,
         CASE WHEN k < $emails THEN 'sent' WHEN k < 2 * $emails THEN 'delivered'
              WHEN k % 4 = 0 THEN 'clicked' ELSE 'opened' END AS type,
         now() - interval '90 days' * random() AS at
  FROM generate_series(0, $events - 1) k
) g JOIN bench_emails e ON e.n = g.n
ORDER BY g.at;
ANALYZE;
SQL
echo "Loaded in $(elapsed "$start") s: $(pg -c 'SELECT count(*) FROM email_events') events"

key=$TRACKING_BOOTSTRAP_API_KEY
get() { curl -sf -H "Authorization: Bearer $key" "$TRACKING_URLS$1"; }
start=$(date +%s.%N)
get "/v1/metrics?days=90&group_by=day" >/dev/null
echo "First metrics call (catching up on the whole log): $(elapsed "$start") s"

# Walk to the 500th page by cursor, or to the last one when there are fewer.
cursor="" page=1
while [ $page -lt 500 ]; do
  next=$(get "/v1/events?days=90&limit=100${cursor:+&cursor=$cursor}" | sed -nE 's/.*"next_cursor":"([^"]+)".*/\1/p')
  [ -n "$next" ] || break
  cursor=$next page=$((page + 1))
done

measure() {
  local name=$1 path=$2
  local line
  line=$(BENCH_API_KEY=$key wrk -t1 -c1 -d"${duration}s" -s bench/latency.lua "$TRACKING_URLS$path" | grep RESULT)
  echo "$name $line"
}
echo "--- $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; one connection, ${duration}s each"
base=$(measure "baseline /readyz" "/readyz")
echo "$base"
for pair in "metrics|/v1/metrics?days=90&group_by=day" "events-first|/v1/events?days=90&limit=100" \
            "events-page$page|/v1/events?days=90&limit=100&cursor=$cursor"; do
  line=$(measure "${pair%%|*}" "${pair#*|}")
  p95=$(sed -E 's/.*p95_ms=([0-9.]+).*/\1/' <<<"$line")
  b95=$(sed -E 's/.*p95_ms=([0-9.]+).*/\1/' <<<"$base")
  echo "$line  p95/baseline=$(awk -v a="$p95" -v b="$b95" 'BEGIN { printf "%.1f", a / b }')"
done
