-- bench/wrk_static.lua - wrk script: GET of one static file (the nginx peer).
--
-- Usage (bench/http.sh runs it):
--   wrk -t2 -c64 -d20s -s bench/wrk_static.lua http://127.0.0.1:PORT/report.json
--
-- It formats each request in Lua and hands each response to Lua, as
-- wrk_report.lua does, so that wrk spends the same work per request on both
-- sides of the comparison (wrk shares the machine's cores with the server).
-- Counting and the summary line are in wrk_common.lua.

local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "wrk_common.lua")

function request()
   return wrk.format()
end
