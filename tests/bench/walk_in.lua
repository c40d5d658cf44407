-- wrk script for the walk-in POST load (tests/bench/run.py, case "lobby"): every request is a
-- new person (a NIK no other request used), booked into today's held-back share, checked in and
-- given a ticket (201). Environment: BENCH_KIOSK_TOKEN, BENCH_REPORT_LUA.
local token = os.getenv("BENCH_KIOSK_TOKEN")
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

-- Runs a second or more apart never reuse a NIK: the birth year (1960–1988, so that every one
-- is of age for `pemula` — a year from 2010 on was a child, answered 422 — and none is 1990,
-- the harness's status checks) and the first day come from the clock, repeating only after
-- 29 × 28 s; the month tells the wrk threads apart, and the women's days keep them clear of
-- book.lua's men's days.
local clock = os.time() + 37
local year = 60 + clock % 29
local first_day = math.floor(clock / 29) % 28

function request()
  counter = counter + 1
  local day = 41 + (first_day + math.floor(counter / 9999)) % 28
  local serial = 1 + counter % 9999
  local nik = string.format("351504%02d%02d%02d%04d", day, thread_no, year, serial)
  local body = string.format('{"nik":"%s","name":"Datang","service":"pemula"}', nik)
  return wrk.format(nil, "/api/v1/offices/351504/walk-ins", nil, body)
end

dofile(os.getenv("BENCH_REPORT_LUA"))
