-- bench/wrk_report.lua - wrk script: POST /v1/reports for random consenting people.
--
-- Usage (bench/http.sh runs it):
--   wrk -t2 -c64 -d20s -H 'Authorization: Bearer crk_...' \
--       -s bench/wrk_report.lua http://127.0.0.1:PORT -- IDS_FILE [PURPOSE]
--
-- IDS_FILE holds one resident ID per line, every one with a live query consent
-- for PURPOSE (default loan_approval) to the key's institution.  Each thread
-- loads the whole file at init and draws an ID uniformly at random for every
-- request, so the requests spread over the whole store as a lender's would.
-- Counting and the summary line are in wrk_common.lua.

local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "wrk_common.lua")

local ids = {}
local purpose = "loan_approval"

function init(args)
   local path = args[1]
   if path == nil then
      error("wrk_report.lua: usage: -- IDS_FILE [PURPOSE]")
   end
   if args[2] ~= nil then purpose = args[2] end
   local f = assert(io.open(path, "r"))
   for line in f:lines() do
      if #line > 0 then ids[#ids + 1] = line end
   end
   f:close()
   if #ids == 0 then error("wrk_report.lua: no IDs in " .. path) end
   math.randomseed(os.time() * 1000 + (tid or 0))
   wrk.method = "POST"
   wrk.path = "/v1/reports"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local id = ids[math.random(#ids)]
   return wrk.format(nil, nil, nil, '{"id":"' .. id .. '","purpose":"' .. purpose .. '"}')
end
