#!/usr/bin/env bash
# Compares builds of Tracking on the hot path. Each build runs as its own process (silo inside) against
# one database, and in every round they take turns with bare Kestrel on the same request paths, so a
# change is measured against the machine's state of the moment: on this 2-core guest the same server's
# rate moves by 15% between runs, more than most changes being tried. Prints each run as
# bench/hotpath.sh does, then each build's median and the median of its rounds' ratios to bare Kestrel.
#   bench/compare.sh NAME=REV[:VAR=VALUE,...] ...
#     REV        a git revision, or . for the working tree as it is (say, a diagnostic change)
#     VAR=VALUE  environment for that build's process, e.g. base=HEAD nopgo=HEAD:DOTNET_TieredPGO=0
#   BENCH_SECONDS per run (10), BENCH_CONNECTIONS (256), BENCH_ROUNDS (3), BENCH_WARMUPS per build (3),
#   BENCH_TARGET pixel or click (pixel), BENCH_RATE req/s on a fixed schedule (unset: as fast as it goes),
#   BENCH_EMAILS (100000), BENCH_PG_SETTINGS "name = value; ..." to try on the database (it is restarted
#   with them), e.g. "wal_level = minimal; max_wal_senders = 0"
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { sed -n '2,14p' "$0"; exit 2; }
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-256}
rounds=${BENCH_ROUNDS:-3}
warmups=${BENCH_WARMUPS:-3}
target=${BENCH_TARGET:-pixel}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

# The builds, checked before anything starts: a name, a revision that exists, its environment.
declare -A rev_of=() env_of=() build_of=() url_of=() pid_of=()
names=()
for spec in "$@"; do
  name=${spec%%=*} rest=${spec#*=}
  rev=${rest%%:*} envs=; [[ $rest == *:* ]] && envs=${rest#*:}
  if [[ $spec != *=* || ! $name =~ ^[A-Za-z0-9_-]+$ || $name == bare || -n ${rev_of[$name]:-} || -z $rev ]] ||
     { [ "$rev" != . ] && ! git rev-parse -q --verify "$rev^{commit}" >/dev/null; }; then
    echo "bad build: $spec (NAME=REV[:VAR=VALUE,...], names unique and not bare, REV a revision or .)" >&2; exit 2
  fi
  names+=("$name") rev_of[$name]=$rev env_of[$name]=${envs//,/ }
done

work=$(mktemp -d /tmp/tracking-compare-XXXX); chmod 755 "$work"
# Ready: /readyz says so, or, for a build from before it existed, /healthz answers.
ready() {
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' "$1/readyz")
  [ "$code" = 200 ] || { [ "$code" = 404 ] && curl -so /dev/null "$1/healthz"; }
}
pids=()
cleanup() {
  set +e
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null
  [ -d "$work/pg" ] && bash scripts/postgres.sh stop "$work/pg"
  for tree in "$work"/tree-*; do [ -d "$tree" ] && git worktree remove --force "$tree"; done
  rm -rf "$work"
}
trap cleanup EXIT

# One build per revision, however many environments it runs with.
for name in "${names[@]}"; do
  rev=${rev_of[$name]} key=$(tr -c 'A-Za-z0-9_\n' _ <<<"${rev_of[$name]}")
  if [ ! -d "$work/build-$key" ]; then
    src=.
    if [ "$rev" != . ]; then src=$work/tree-$key; git worktree add -q --detach "$src" "$rev"; fi
    echo "building $rev" >&2
    # The one process is the Silo's since session 15, the Gateway's before: build whichever hosts both.
    host=Silo; grep -q 'Silo.csproj' "$src/Gateway/Tracking.Gateway.csproj" && host=Gateway
    dotnet build "$src/$host" -c Release -o "$work/build-$key" -v quiet -nologo >/dev/null
    echo "$host" >"$work/build-$key/one-process-host"
  fi
  build_of[$name]=$work/build-$key
done
dotnet build bench/BareKestrel -c Release -v quiet -nologo >/dev/null
dotnet build bench/LoadGen -c Release -v quiet -nologo >/dev/null

# A durable database: fsync stays on.
TRACKING_POSTGRES=$(bash scripts/postgres.sh start "$work/pg" 25434 | tail -n 1)
source bench/tracking.sh
if [ -n "${BENCH_PG_SETTINGS:-}" ]; then
  IFS=';' read -ra settings <<<"$BENCH_PG_SETTINGS"
  for setting in "${settings[@]}"; do
    name=$(xargs <<<"${setting%%=*}") value=$(xargs <<<"${setting#*=}")
    pg -c "ALTER SYSTEM SET $name = '$value'"
  done
  # A restart, since some settings (wal_level) take effect only then.
  bash scripts/postgres.sh stop "$work/pg"
  bash scripts/postgres.sh start "$work/pg" 25434 >/dev/null
  echo "PostgreSQL settings: $(pg -c "SELECT string_agg(name || ' = ' || setting, ', ') FROM pg_settings WHERE source = 'configuration file' AND sourcefile LIKE '%auto.conf'")"
fi
postmaster=$(head -n 1 "$work/pg/postmaster.pid")
source bench/measure.sh

dotnet bench/BareKestrel/bin/Release/net10.0/BareKestrel.dll --urls http://127.0.0.1:18091 >"$work/bare.log" 2>&1 & pids+=($!)
pid_of[bare]=$! url_of[bare]=http://127.0.0.1:18091
i=0
for name in "${names[@]}"; do
  # shellcheck disable=SC2086 # the build's VAR=VALUE words
  # The per-address limit stays on, above the load (wrk is one address), so that its cost is measured.
  env TRACKING_TRACK_RATE_LIMIT=10000000 ${env_of[$name]} TRACKING_POSTGRES="$TRACKING_POSTGRES" TRACKING_SILO=in-process TRACKING_URLS=http://127.0.0.1:$((18092 + i)) \
    Orleans__SiloPort=$((21120 + i)) Orleans__GatewayPort=$((23010 + i)) \
    dotnet "${build_of[$name]}/Tracking.$(cat "${build_of[$name]}/one-process-host").dll" >"$work/$name.log" 2>&1 & pids+=($!)
  pid_of[$name]=$! url_of[$name]=http://127.0.0.1:$((18092 + i))
  i=$((i + 1))
done
for name in bare "${names[@]}"; do
  until ready "${url_of[$name]}"; do
    kill -0 "${pid_of[$name]}" 2>/dev/null || { echo "$name did not start; see its log" >&2; cat "$work/$name.log" >&2; exit 1; }
    sleep 0.3
  done
done
# The first build made the schema; LoadGen's emails serve every build.
dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$TRACKING_POSTGRES" "${BENCH_EMAILS:-100000}" "$work" >/dev/null

run() { # url; the wrk script reads BENCH_RATE itself
  BENCH_PATHS=$work/$target-paths.txt wrk -t2 -c"$connections" -d"${duration}s" -s bench/paths.lua "$1/v1/track/open/x" | grep RESULT
}
for name in bare "${names[@]}"; do
  rates=""; for _ in $(seq 1 "$warmups"); do rates+=" $(field rps "$(run "${url_of[$name]}")")"; done
  echo "warm-up of $name, req/s:$rates"
done

echo "--- $(nproc) cores, $target, ${BENCH_RATE:+$BENCH_RATE req/s asked, }$connections connections, ${duration}s per run, $rounds rounds"
printf "%-5s %-10s %10s %9s %9s %9s %7s %6s %6s %14s\n" round build req/s p50_ms p99_ms max_ms srv_us pg_us idle% "ok/events"
declare -A runs=() ratios=()
failed=0
for round in $(seq 1 "$rounds"); do
  # Bare Kestrel first, then the builds, in turn forwards and backwards, so none always follows another.
  order=("${names[@]}"); [ $((round % 2)) = 0 ] && mapfile -t order < <(printf "%s\n" "${names[@]}" | tac)
  declare -A rps=()
  for name in bare "${order[@]}"; do
    [ "$name" = bare ] || before=$(events)
    cpu_start "${pid_of[$name]}"
    line=$(run "${url_of[$name]}")
    cpu_end "$(field requests "$line")" "${pid_of[$name]}"
    check=""
    if [ "$name" = bare ]; then pg_us=-; else
      check=$(events_check "$(field ok "$line")" $(($(events) - before)) "$connections") || failed=1
    fi
    rps[$name]=$(field rps "$line"); runs[$name]+="${rps[$name]} "
    [ "$name" = bare ] || ratios[$name]+="$(ratio "${rps[$name]}" "${rps[bare]}") "
    printf "%-5s %-10s %10s %9s %9s %9s %7s %6s %6s %14s\n" "$round" "$name" "${rps[$name]}" "$(field p50_ms "$line")" \
      "$(field p99_ms "$line")" "$(field max_ms "$line")" "$srv_us" "$pg_us" "$idle" "$check"
  done
done
echo "medians: bare $(median ${runs[bare]}) req/s"
for name in "${names[@]}"; do
  echo "  $name $(median ${runs[$name]}) req/s; to bare: median of the rounds' ratios $(median ${ratios[$name]}) (${ratios[$name]% })"
done
exit $failed
