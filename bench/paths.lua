-- wrk script: each request GETs a random line of the file in BENCH_PATHS (or wrk's own path when unset);
-- afterwards prints throughput, latency and how many answers were 200 or 302, summed over all threads.
--   BENCH_ORDER=sequential  each line once, split between the threads (then they stop sending)
--   BENCH_RATE=N            about N requests/s in all, on a fixed schedule (wrk itself has no rate option)
--   BENCH_USER_AGENT=...    the User-Agent sent (default: Apple Mail on an iPhone, as a reader's open sends it;
--                           empty: none), since each open and click is classified by it
local threads = {}
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  ok = 0
  paths = {}
  local file = os.getenv("BENCH_PATHS")
  if file and file ~= "" then
    for line in io.lines(file) do paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  sequential = os.getenv("BENCH_ORDER") == "sequential"
  local agent = os.getenv("BENCH_USER_AGENT")
  if agent == nil then
    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
  end
  headers = {}
  if agent ~= "" then headers["User-Agent"] = agent end
  sent = 0
end

-- wrk starts each thread before it sets up the next, so the thread count comes from BENCH_THREADS (= -t).
local function share()
  if not threads_count then
    threads_count = tonumber(os.getenv("BENCH_THREADS") or "2")
    next_line = wrk.thread:get("id")
    rate = tonumber(os.getenv("BENCH_RATE") or "0") / threads_count
  end
end

function request()
  if #paths == 0 then return wrk.format("GET", nil, headers) end
  share()
  if sequential then
    local line = paths[next_line]
    next_line = next_line + threads_count
    if line == nil then
      wrk.thread:stop()
      line = paths[1]
    end
    return wrk.format("GET", line, headers)
  end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

-- With a rate, request n of this thread is due at start + n / rate, whatever the answers' latency.
-- Defined only then: wrk schedules every request through a timer when the script has a delay().
if os.getenv("BENCH_RATE") then
  function delay()
    share()
    local now = now_ms()
    started = started or now
    sent = sent + 1
    return math.max(0, started + sent * 1000 / rate - now)
  end
end

function response(status, headers, body)
  if status == 200 or status == 302 then ok = ok + 1 end
end

function done(summary, latency, requests)
  local answered = 0
  for _, thread in ipairs(threads) do answered = answered + thread:get("ok") end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1000000), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, answered, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
