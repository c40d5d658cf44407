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

-- Each wrk run (warm-up, rounds) starts its counter again: the birth year and the first day
-- come from the clock, so runs a second or more apart never reuse a NIK (repeating only after
-- 29 × 28 s); the month tells the wrk threads apart. Years 1960–1988: every one of age for
-- `pemula` (the clock's last two digits gave children from 2010 on, answered 422), and none
-- 1990 (tests/bench/documents.py and rush.py book 1990 NIKs in the same database).
local clock = os.time()
local year = 60 + clock % 29
local first_day = math.floor(clock / 29) % 28

function request()
  counter = counter + 1
  local day = 1 + (first_day + math.floor(counter / 9999)) % 28
  local serial = 1 + counter % 9999
  local nik = string.format("351504%02d%02d%02d%04d", day, thread_no, year, serial)
  local body = string.format(
    '{"nik":"%s","name":"Peserta","service":"pemula","slot_id":%s}', nik, slot)
  return wrk.format(nil, "/api/v1/bookings", nil, body)
end

dofile(os.getenv("BENCH_REPORT_LUA"))
