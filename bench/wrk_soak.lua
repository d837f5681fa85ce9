-- bench/wrk_soak.lua - wrk script: the soak's mixed load (bench/soak.sh).
--
-- Usage:
--   wrk -t2 -c16 -d60s -s bench/wrk_soak.lua http://127.0.0.1:PORT -- \
--       IDS_FILE ACCOUNTS_FILE LENDER_KEY FURNISHER_KEY FURNISHER PURPOSE ASOF \
--       DELAY_MS TAG
--
-- Every request is one of, drawn at random by weight:
--   70  POST /v1/reports  {"id":<random person>,"purpose":PURPOSE}, lender key
--   10  POST /v1/events   10 events on random accounts of FURNISHER: a
--                         drawdown then a repayment of the same amount
--   10  POST /v1/furnish  10 statements of month ASOF of random accounts of
--                         FURNISHER (the same small balance, paid on time)
--   10  GET  /v1/alerts?limit=50, lender key (the alert page a lender polls)
-- DELAY_MS (0: none) is the pause of each connection before each request:
-- with C connections and a pause of C * 1000 / R ms, about R requests a
-- second, which bench/soak.sh sets to a share of the measured peak.
-- event_ids are unique per run (TAG, the thread and a counter).
-- The summary line is wrk_common.lua's.

local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "wrk_common.lua")

local ids, accounts = {}, {}
local lender_key, furnisher_key, furnisher, purpose, asof, month
local delay_ms = 0
local tag = tostring(os.time())
local seq = 0

local function lines(path)
   local t = {}
   for line in io.lines(path) do
      if line ~= "" then t[#t + 1] = line end
   end
   if #t == 0 then error("wrk_soak.lua: " .. path .. " is empty") end
   return t
end

function init(args)
   if #args < 8 then
      error("wrk_soak.lua: usage: -- IDS ACCOUNTS LENDER_KEY FURNISHER_KEY FURNISHER PURPOSE ASOF DELAY_MS [TAG]")
   end
   ids = lines(args[1])
   accounts = lines(args[2])
   lender_key, furnisher_key, furnisher = args[3], args[4], args[5]
   purpose, asof = args[6], args[7]
   month = string.sub(asof, 1, 7)
   delay_ms = tonumber(args[8]) or 0
   if args[9] ~= nil then tag = args[9] end
   math.randomseed(os.time() * 1000 + (tid or 0))
end

function delay()
   if delay_ms <= 0 then return 0 end
   -- Exponential gaps around the mean: arrivals that do not march in step.
   return math.floor(-math.log(1 - math.random()) * delay_ms)
end

local function lender()
   return { ["Authorization"] = "Bearer " .. lender_key,
            ["Content-Type"] = "application/json" }
end

local function furnisher_headers()
   return { ["Authorization"] = "Bearer " .. furnisher_key,
            ["Content-Type"] = "application/x-ndjson" }
end

local function events_body()
   local parts = {}
   for i = 1, 5 do
      local acct = accounts[math.random(#accounts)]
      local amount = math.random(100, 500000)
      for _, kind in ipairs({ "drawdown", "repayment" }) do
         seq = seq + 1
         parts[#parts + 1] = string.format(
            '{"type":"event","institution":"%s","account":"%s","event_id":"%s-%d-%d",' ..
            '"at":"%sT10:00:00+08:00","kind":"%s","amount":%d}',
            furnisher, acct, tag, tid or 0, seq, asof, kind, amount)
      end
   end
   return table.concat(parts, "\n") .. "\n"
end

local function statements_body()
   local parts = {}
   for i = 1, 10 do
      parts[#parts + 1] = string.format(
         '{"type":"statement","institution":"%s","account":"%s","month":"%s",' ..
         '"balance":100000,"due":5000,"paid":5000,"overdue":0,"dpd":0,"status":"N"}',
         furnisher, accounts[math.random(#accounts)], month)
   end
   return table.concat(parts, "\n") .. "\n"
end

function request()
   local pick = math.random(100)
   if pick <= 70 then
      local id = ids[math.random(#ids)]
      return wrk.format("POST", "/v1/reports", lender(),
                        '{"id":"' .. id .. '","purpose":"' .. purpose .. '"}')
   elseif pick <= 80 then
      return wrk.format("POST", "/v1/events", furnisher_headers(), events_body())
   elseif pick <= 90 then
      return wrk.format("POST", "/v1/furnish", furnisher_headers(), statements_body())
   end
   return wrk.format("GET", "/v1/alerts?limit=50",
                     { ["Authorization"] = "Bearer " .. lender_key }, nil)
end
