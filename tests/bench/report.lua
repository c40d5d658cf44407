-- wrk script for tests/bench/run.py.
-- Optional request from the environment (the fast path: no per-request Lua):
--   BENCH_METHOD     e.g. POST
--   BENCH_BODY_FILE  a file whose bytes are the request body
-- (headers are given to wrk with -H). At the end it prints one machine-readable line:
--   BENCH requests=… duration_us=… p50_us=… p95_us=… …
local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then
  wrk.method = method
end
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d mean_us=%.1f max_us=%.0f" ..
    " p50_us=%.0f p75_us=%.0f p90_us=%.0f p95_us=%.0f p99_us=%.0f" ..
    " err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
