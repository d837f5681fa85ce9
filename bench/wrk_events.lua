-- bench/wrk_events.lua - wrk script: POST /v1/events, JSON Lines bodies of events.
--
-- Usage (bench/http.sh runs it):
--   wrk -t2 -c8 -d20s --timeout 30s -H 'Authorization: Bearer crk_...' \
--       -s bench/wrk_events.lua http://127.0.0.1:PORT \
--       -- ACCOUNTS_FILE INSTITUTION [BATCH [TAG [AT]]]
--
-- ACCOUNTS_FILE holds account numbers of INSTITUTION (the furnisher key's),
-- one a line.  Every request carries BATCH events (default 1000), one JSON
-- object a line:
--   {"type":"event","institution":"B0001","account":"RL-0000000001",
--    "event_id":"TAG-THREAD-SEQ","at":"AT","kind":"drawdown","amount":12345}
-- in pairs on one random account: a drawdown, then a repayment of the same
-- amount, so balances stay where they were.  event_id is unique within a run
-- (the thread number and a per-thread counter) and across runs (TAG, default
-- the start time).  AT defaults to 2026-06-30T10:00:00+08:00.
--
-- The server answers with counts ({"submitted":N,"accepted":A,...}); the sums
-- over the run are printed as submitted=.. accepted=.. and per second, and
-- the first answers with events not accepted as notes.
-- Counting and the summary line are in wrk_common.lua.

sum_counters = { "submitted", "accepted" }
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "wrk_common.lua")

submitted = 0
accepted = 0

local accounts = {}
local institution = "B0001"
local batch = 1000
local tag = tostring(os.time())
local at = "2026-06-30T10:00:00+08:00"
local seq = 0

function init(args)
   if args[1] == nil or args[2] == nil then
      error("wrk_events.lua: usage: -- ACCOUNTS_FILE INSTITUTION [BATCH [TAG [AT]]]")
   end
   institution = args[2]
   batch = tonumber(args[3] or batch)
   tag = args[4] or tag
   at = args[5] or at
   local f = assert(io.open(args[1], "r"))
   for line in f:lines() do
      if #line > 0 then accounts[#accounts + 1] = line end
   end
   f:close()
   if #accounts == 0 then error("wrk_events.lua: no accounts in " .. args[1]) end
   math.randomseed(os.time() * 1000 + (tid or 0))
   wrk.method = "POST"
   wrk.path = "/v1/events"
   wrk.headers["Content-Type"] = "application/x-ndjson"
end

local fmt = '{"type":"event","institution":"%s","account":"%s","event_id":"%s-%d-%d",' ..
            '"at":"%s","kind":"%s","amount":%d}'

function request()
   local lines = {}
   local account, amount
   for i = 1, batch do
      seq = seq + 1
      local kind = "repayment"
      if i % 2 == 1 then
         account = accounts[math.random(#accounts)]
         amount = math.random(100, 100000)
         kind = "drawdown"
      end
      lines[i] = string.format(fmt, institution, account, tag, tid or 0, seq, at, kind, amount)
   end
   lines[batch + 1] = ""
   return wrk.format(nil, nil, nil, table.concat(lines, "\n"))
end

function on_response(status, body)
   if status ~= 200 or body == nil then return end
   local s = tonumber(string.match(body, '"submitted"%s*:%s*(%d+)')) or 0
   local a = tonumber(string.match(body, '"accepted"%s*:%s*(%d+)')) or 0
   submitted = submitted + s
   accepted = accepted + a
   if a < s and #notes < 3 then
      notes[#notes + 1] = "200 with " .. (s - a) .. " of " .. s .. " not accepted: " ..
                          string.sub(body, 1, 400)
   end
end
