-- wrk script for the check-in load (tests/bench/issues12_16.py, table "lobby"): every request
-- checks in a booking no other request used, with its holder's NIK (200 and a ticket).
-- Environment: BENCH_CHECKIN_FILE (lines "CODE NIK", the bookings made for the bench; the first
-- is kept for the harness's status check), BENCH_CHECKIN_OFFSET (a file saying where earlier
-- wrk runs of the same bench stopped: each run of the load is a new wrk process),
-- BENCH_STRIDE (wrk's -t), BENCH_REPORT_LUA.
local people = {}
for line in io.lines(os.getenv("BENCH_CHECKIN_FILE")) do
  local code, nik = line:match("^(%S+) (%S+)$")
  if code then
    table.insert(people, {code, nik})
  end
end
local offset_file = os.getenv("BENCH_CHECKIN_OFFSET")
local stride = tonumber(os.getenv("BENCH_STRIDE") or "2")
-- The offset file: "NEXT SENT", the first line not yet handed out, and how many requests all
-- earlier runs sent (the threads' strides may leave lines unused, never reuse one).
local function read_offset()
  local f = io.open(offset_file, "r")
  local text = f and f:read("*a") or "1 0"
  if f then f:close() end
  local next_line, sent = text:match("^(%d+) (%d+)")
  return tonumber(next_line or 1), tonumber(sent or 0)
end
local offset, sent_before = read_offset()
counter = 0  -- a global: done() reads it from each thread (thread:get sees globals only)
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  thread:set("offset", offset)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  -- Thread t takes lines offset + t, offset + t + stride, …: no two requests share a booking.
  local i = offset + thread_no + counter * stride
  counter = counter + 1
  local person = people[math.min(i, #people)]  -- past the end: a repeat, answered 409
  local body = string.format('{"nik":"%s"}', person[2])
  return wrk.format(nil, "/api/v1/bookings/" .. person[1] .. "/check-in", nil, body)
end

dofile(os.getenv("BENCH_REPORT_LUA"))

-- report.lua's done() prints the BENCH line; this one also moves the offset past every line
-- handed out, for the next wrk run.
local report_done = done
function done(summary, latency, requests)
  local most, sent = 0, 0
  for _, thread in ipairs(threads) do
    local n = thread:get("counter") or 0
    most = math.max(most, n)
    sent = sent + n
  end
  local f = assert(io.open(offset_file, "w"))
  f:write(string.format("%d %d", offset + most * stride, sent_before + sent))
  f:close()
  report_done(summary, latency, requests)
end
