# Sourced by the hot-path benchmarks: the CPU a run cost and wrk's RESULT line.
# cpu_start and cpu_end need $postmaster, the PostgreSQL server's process id; events needs pg (tracking.sh).
tick_us=$((1000000 / $(getconf CLK_TCK)))
# CPU clock ticks used by these processes and their children, including children already ended.
ticks() {
  local sum=0 p q
  for p in "$@"; do
    sum=$((sum + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat")))
    for q in $(pgrep -P "$p"); do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$q/stat" 2>/dev/null || echo 0))); done
  done
  echo "$sum"
}
machine() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
per_request() { awk -v t="$1" -v n="$2" -v us="$tick_us" 'BEGIN { printf "%.0f", (n > 0 ? t * us / n : 0) }'; }
cpu_start() { # server-pids...
  s0=$(ticks "$@"); p0=$(ticks "$postmaster"); read -r i0 t0 < <(machine)
}
cpu_end() { # requests server-pids...: sets srv_us, pg_us and idle for the time since cpu_start
  local n=$1 s1 p1 i1 t1; shift
  s1=$(ticks "$@"); p1=$(ticks "$postmaster"); read -r i1 t1 < <(machine)
  srv_us=$(per_request $((s1 - s0)) "$n"); pg_us=$(per_request $((p1 - p0)) "$n")
  idle=$(awk -v i=$((i1 - i0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * i / t : 0) }')
}
# Opens and clicks recorded so far.
events() { pg -c "SELECT count(*) FROM email_events WHERE type IN ('opened', 'clicked')"; }
# Prints ok/recorded for a run, with MISMATCH and a failed status when the events do not match wrk's 200/302
# answers: wrk stops with up to one request per connection in flight, committed and answered but not counted.
events_check() { # ok recorded connections
  if [ "$2" -lt "$1" ] || [ "$2" -gt $(($1 + $3)) ]; then echo "$1/$2 MISMATCH"; return 1; fi
  echo "$1/$2"
}
field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
median() { printf "%s\n" "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
