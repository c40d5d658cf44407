-- wrk script for the booking POST load (tests/bench/run.py, case "rush"): every request books
-- with a NIK no other request used, so each is a real booking (201) while places last.
-- Environment: BENCH_TOKEN (an admin token), BENCH_SLOT (slot id), BENCH_REPORT_LUA.
local token = os.getenv("BENCH_TOKEN")
local slot = os.getenv("BENCH_SLOT")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- Each wrk run (warm-up, rounds) starts its counter again: the birth year comes from the clock,
-- so runs a second or more apart never reuse a NIK; the month tells the wrk threads apart.
local year = os.time() % 100

function request()
  counter = counter + 1
  local day = 1 + math.floor(counter / 9999) % 28
  local serial = 1 + counter % 9999
  local nik = string.format("351504%02d%02d%02d%04d", day, thread_no, year, serial)
  local body = string.format(
    '{"nik":"%s","name":"Peserta","service":"pemula","slot_id":%s}', nik, slot)
  return wrk.format(nil, "/api/v1/bookings", nil, body)
end

dofile(os.getenv("BENCH_REPORT_LUA"))
