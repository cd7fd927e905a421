-- wrk script: POST one ruling request (fixtures/applications/approve.json) per call.
-- Run from the repository root: wrk -s bench/post.lua http://127.0.0.1:8080/v1/rulings
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("fixtures/applications/approve.json", "r"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("rulings/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors))
end
