-- wrk script: after the run, print p50 and p95 latency in milliseconds and the request count.
-- The request header comes from the environment (wrk passes no flags to scripts).
local key = os.getenv("BENCH_API_KEY")
if key then wrk.headers["Authorization"] = "Bearer " .. key end

done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.2f p95_ms=%.2f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
