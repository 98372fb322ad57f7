-- Shared by api_post.lua and api_get.lua (loaded with dofile): numbers the threads, counts 2xx
-- and non-2xx responses per thread, and at the end prints one machine-readable line (parsed by
-- api.sh) plus one line per non-2xx status seen:
--
--   API_BENCH ok=N non2xx=N duration_us=N p50_us=N p99_us=N connect_errors=N read_errors=N
--             write_errors=N timeouts=N          (all on one line)
--   API_BENCH_STATUS status=500 count=N

threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

-- Call from each script's init().
function reset_counts()
   ok, non2xx, statuses = 0, 0, {}
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
      statuses[status] = (statuses[status] or 0) + 1
   end
end

function done(summary, latency, _requests)
   local total_ok, total_bad, by_status = 0, 0, {}
   for _, t in ipairs(threads) do
      total_ok = total_ok + (t:get("ok") or 0)
      total_bad = total_bad + (t:get("non2xx") or 0)
      for status, n in pairs(t:get("statuses") or {}) do
         by_status[status] = (by_status[status] or 0) + n
      end
   end
   local e = summary.errors
   io.write(string.format(
      "API_BENCH ok=%d non2xx=%d duration_us=%d p50_us=%d p99_us=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      total_ok, total_bad, summary.duration, latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.timeout))
   for status, n in pairs(by_status) do
      io.write(string.format("API_BENCH_STATUS status=%d count=%d\n", status, n))
   end
end

-- Requests prepared in init() go into `requests`; this sends them in turn, starting at
-- `next_index`. A script with a single request defines its own request() instead.
requests, next_index = {}, 1

function request()
   local r = requests[next_index]
   next_index = next_index % #requests + 1
   return r
end
