-- bench/wrk_common.lua - what the HTTP bench's wrk scripts share.
--
-- Loaded with dofile() by wrk_report.lua, wrk_events.lua and wrk_static.lua,
-- in wrk's main Lua state and in each thread's.  It numbers the threads
-- (global tid, from 1), counts every response by status, keeps up to three
-- bodies of non-200 responses, and prints the run as one line that
-- bench/http.sh parses:
--
--   wrk: requests=N seconds=S rps=R p50_us=.. p90_us=.. p99_us=.. max_us=..
--        non200=K socket_errors=E statuses=200:N,403:K [COUNTER=SUM ...]
--
-- followed by "wrk: non-200 sample: STATUS BODY" lines.  A script adds
-- counters of its own by naming globals in sum_counters (summed over the
-- threads and printed with a per-second rate as NAME=SUM NAME_per_s=RATE),
-- can look at each body with on_response(status, body), and can keep up to
-- three lines of its own in the global notes, printed as "wrk: note: ...".

local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   threads[#threads + 1] = thread
end

-- Globals, so that done() can read them from each thread: thread:get copies
-- numbers, strings and tables between the threads' Lua states.
statuses = {}
samples = {}
notes = {}
non200 = 0
sum_counters = sum_counters or {}

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status ~= 200 then
      non200 = non200 + 1
      if #samples < 3 then
         samples[#samples + 1] = status .. " " .. string.sub(body or "", 1, 300)
      end
   end
   if on_response ~= nil then on_response(status, body) end
end

function done(summary, latency, requests)
   local total_non200, total, bodies, sums, all_notes = 0, {}, {}, {}, {}
   for _, thread in ipairs(threads) do
      total_non200 = total_non200 + (thread:get("non200") or 0)
      for code, n in pairs(thread:get("statuses") or {}) do
         total[code] = (total[code] or 0) + n
      end
      for _, b in ipairs(thread:get("samples") or {}) do
         if #bodies < 3 then bodies[#bodies + 1] = b end
      end
      for _, n in ipairs(thread:get("notes") or {}) do
         if #all_notes < 3 then all_notes[#all_notes + 1] = n end
      end
      for _, name in ipairs(sum_counters) do
         sums[name] = (sums[name] or 0) + (thread:get(name) or 0)
      end
   end
   local parts = {}
   for code, n in pairs(total) do parts[#parts + 1] = code .. ":" .. n end
   table.sort(parts)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local extra = ""
   for _, name in ipairs(sum_counters) do
      extra = extra .. string.format(" %s=%d %s_per_s=%.0f", name, sums[name],
                                     name, sums[name] / secs)
   end
   io.write(string.format(
      "wrk: requests=%d seconds=%.2f rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "non200=%d socket_errors=%d statuses=%s%s\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      total_non200, e.connect + e.read + e.write + e.timeout,
      #parts > 0 and table.concat(parts, ",") or "none", extra))
   for _, b in ipairs(bodies) do
      local one_line = string.gsub(b, "%s+", " ")
      io.write("wrk: non-200 sample: " .. one_line .. "\n")
   end
   for _, n in ipairs(all_notes) do
      local one_line = string.gsub(n, "%s+", " ")
      io.write("wrk: note: " .. one_line .. "\n")
   end
end
