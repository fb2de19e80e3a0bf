#!/usr/bin/env bash
# Hot-path benchmark: in one run, with the same wrk settings, on loopback:
#   1 nginx empty_gif with an access log, 2 bare Kestrel serving the same GIF,
#   3 our pixel over distinct emails (durable: committed before the answer), 4 our click redirect likewise.
# 1, 2 and 3 get the same request paths from the same wrk script, so the load tool spends the same CPU per
# request on each (it shares the machine); bare Kestrel is also run on one fixed path, as wrk does by
# default, and that ratio is printed too.
# Prints requests/s and latency per connection count, the ratios 3/2, 4/2 and 3/1, and checks that the
# events in PostgreSQL equal the 200/302 answers wrk counted. The targets take turns, in rounds, and the
# ratios are of each target's median: on this 2-core guest the same server's rate moves by 15% from one
# 10 s run to the next, more than most changes being measured, and a single pair of runs mostly
# measures that.
# Beside each run: the CPU time per request of the server's processes (srv_us) and of PostgreSQL
# (pg_us, our targets only), and how much of the machine stayed idle (idle%, iowait included): wrk
# takes most of the rest, so this shows where the distance to bare Kestrel goes.
# Then runs our pixel at half of its best (median) rate, on a fixed schedule, and prints its latency there: once
# right after the peak runs, and once after sync.
#   bench/hotpath.sh [emails]      (BENCH_SECONDS per run, default 10; BENCH_CONNECTIONS, default "16 64 256";
#                                 BENCH_ROUNDS, default 3; BENCH_WARMUPS, default 3; BENCH_SILO, see bench/tracking.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
emails=${1:-100000}
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-16 64 256}
rounds=${BENCH_ROUNDS:-3}
warmups=${BENCH_WARMUPS:-3}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool; }
done

dotnet build Tracking.sln -c Release -v quiet -nologo >/dev/null
dotnet build bench/BareKestrel -c Release -v quiet -nologo >/dev/null
dotnet build bench/LoadGen -c Release -v quiet -nologo >/dev/null

work=$(mktemp -d /tmp/tracking-hotpath-XXXX); chmod 755 "$work"; mkdir -p "$work/tmp"
# A durable database: fsync stays on.
export TRACKING_POSTGRES=$(bash scripts/postgres.sh start "$work/pg" 25433 | tail -n 1)
export TRACKING_URLS=http://127.0.0.1:18081 Orleans__SiloPort=21112 Orleans__GatewayPort=23001
pids=()
logs=
cleanup() { set +e; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; bash scripts/postgres.sh stop "$work/pg"; rm -rf "$work" ${logs:+"$logs"}; }
trap cleanup EXIT

source bench/tracking.sh
start_tracking "$work"
dotnet bench/BareKestrel/bin/Release/net10.0/BareKestrel.dll --urls http://127.0.0.1:18082 >"$work/bare.log" 2>&1 & pids+=($!)
bare_pid=$!
# nginx's access log goes to memory (tmpfs), emptied after each of its runs. On disk, the 60-70 MB it
# writes in a 10 s run is written back by the kernel about 30 s later, in one burst: in the middle of our
# pixel's run, whose every answer waits for a log flush queued behind it. nginx's own cost is the same.
logs=$(mktemp -d /dev/shm/tracking-nginx-XXXX 2>/dev/null || echo "$work")
sed -e "s#PREFIX#$work#g" -e "s#LOGS#$logs#g" -e "s#PORT#18083#g" bench/nginx.conf >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" & pids+=($!)
nginx_pid=$!
until curl -sf http://127.0.0.1:18082/v1/track/open/x >/dev/null; do sleep 0.2; done

dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$TRACKING_POSTGRES" "$emails" "$work"

run() { # name base-url paths-file connections
  BENCH_PATHS=$3 wrk -t2 -c"$4" -d"${duration}s" -s bench/paths.lua "$2/v1/track/open/x" | grep RESULT
  : >"$logs/access.log"
}
postmaster=$(head -n 1 "$work/pg/postmaster.pid")
source bench/measure.sh

# Warm-up: every server has compiled its hot code before the first measured run, which would otherwise
# be the 16-connection one. Ours needs the longest: .NET tiers up its JIT under load, and the email
# directory fills as emails are first seen; at 256 connections it took three 8 s runs to reach its rate
# (7,559 / 13,661 / 17,576 / 18,914 req/s). So each target gets BENCH_WARMUPS runs at the largest
# connection count, and their rates are printed, to show that the last ones have levelled off.
warm_connections=$(tr ' ' '\n' <<<"$connections" | sort -n | tail -n 1)
warm_up() { # name url paths
  local rates="" i
  for i in $(seq 1 "$warmups"); do rates+=" $(field rps "$(run warm-up "$2" "$3" "$warm_connections")")"; done
  echo "warm-up of $1 at $warm_connections connections, req/s:$rates"
}
warm_up nginx http://127.0.0.1:18083 "$work/pixel-paths.txt"
warm_up bare http://127.0.0.1:18082 "$work/pixel-paths.txt"
warm_up pixel "$TRACKING_URLS" "$work/pixel-paths.txt"
warm_up click "$TRACKING_URLS" "$work/click-paths.txt"

echo "--- $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $emails emails, ${duration}s per run, wrk -t2, $rounds rounds"
printf "%-6s %-5s %-8s %10s %9s %9s %9s %7s %6s %6s %14s\n" conns round target req/s p50_ms p99_ms max_ms srv_us pg_us idle% "ok/events"
failed=0
best_pixel=0
for c in $connections; do
  declare -A runs=()
  pixel_rounds="" click_rounds=""
  for round in $(seq 1 "$rounds"); do
    declare -A rps=()
    for target in nginx bare bare1 pixel click; do
      case $target in
        nginx) server=($nginx_pid) url=http://127.0.0.1:18083 paths=$work/pixel-paths.txt ;;
        bare)  server=($bare_pid) url=http://127.0.0.1:18082 paths=$work/pixel-paths.txt ;;
        bare1) server=($bare_pid) url=http://127.0.0.1:18082 paths="" ;;
        pixel) server=("${tracking_pids[@]}") url=$TRACKING_URLS paths=$work/pixel-paths.txt ;;
        click) server=("${tracking_pids[@]}") url=$TRACKING_URLS paths=$work/click-paths.txt ;;
      esac
      ours=; case $target in pixel | click) ours=1 before=$(events) ;; esac
      cpu_start "${server[@]}"
      line=$(run "$target" "$url" "$paths" "$c")
      cpu_end "$(field requests "$line")" "${server[@]}"
      if [ -n "$ours" ]; then after=$(events); else pg_us=-; fi
      rps[$target]=$(field rps "$line")
      runs[$target]+="${rps[$target]} "
      check=""
      if [ -n "$ours" ]; then check=$(events_check "$(field ok "$line")" $((after - before)) "$c") || failed=1; fi
      printf "%-6s %-5s %-8s %10s %9s %9s %9s %7s %6s %6s %14s\n" "$c" "$round" "$target" "${rps[$target]}" "$(field p50_ms "$line")" \
        "$(field p99_ms "$line")" "$(field max_ms "$line")" "$srv_us" "$pg_us" "$idle" "$check"
    done
    pixel_rounds+="$(ratio "${rps[pixel]}" "${rps[bare]}") " click_rounds+="$(ratio "${rps[click]}" "${rps[bare]}") "
  done
  declare -A med=()
  for target in nginx bare bare1 pixel click; do med[$target]=$(median ${runs[$target]}); done
  best_pixel=$(awk -v a="$best_pixel" -v b="${med[pixel]}" 'BEGIN { print (b > a ? b : a) }')
  echo "       medians: nginx ${med[nginx]}, bare ${med[bare]}, bare1 ${med[bare1]}, pixel ${med[pixel]}, click ${med[click]} req/s"
  echo "       ratios of medians: pixel/bare=$(ratio "${med[pixel]}" "${med[bare]}") click/bare=$(ratio "${med[click]}" "${med[bare]}") pixel/nginx=$(ratio "${med[pixel]}" "${med[nginx]}")" \
    "(to bare on one path: pixel $(ratio "${med[pixel]}" "${med[bare1]}"), click $(ratio "${med[click]}" "${med[bare1]}"))"
  echo "       each round: pixel/bare ${pixel_rounds% }; click/bare ${click_rounds% }"
done
half=$(awk -v a="$best_pixel" 'BEGIN { printf "%d", a / 2 }')
at_half() { # label
  local line
  cpu_start "${tracking_pids[@]}"
  line=$(BENCH_PATHS=$work/pixel-paths.txt BENCH_RATE=$half BENCH_THREADS=2 \
    wrk -t2 -c64 -d"${duration}s" -s bench/paths.lua "$TRACKING_URLS/v1/track/open/x" | grep RESULT)
  cpu_end "$(field requests "$line")" "${tracking_pids[@]}"
  echo "pixel at half its best rate ($half req/s asked, fixed schedule, 64 connections, $1): $(field rps "$line") req/s," \
    "p50 $(field p50_ms "$line") ms, p99 $(field p99_ms "$line") ms, max $(field max_ms "$line") ms;" \
    "CPU per request $srv_us µs, PostgreSQL $pg_us µs, idle $idle%"
}
at_half "right after the peak runs"
# The peak runs leave the kernel hundreds of MB to write back; its bursts stall the WAL flush that
# every answer waits for. The second run starts with that written, so it measures its own load.
sync
at_half "after sync"
exit $failed
