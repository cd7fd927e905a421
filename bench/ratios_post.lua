-- wrk script of bench/ratios.py: POST the file named by $RATIOS_BODY, then print one parsable line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("RATIOS_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RATIOS count=%d elapsed_s=%.6f p50_ms=%.4f p99_ms=%.4f errors=%d bad_status=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
