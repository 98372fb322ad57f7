-- wrk script for bench/api.sh: POST /v1/sessions/{id}/messages with {"content":"hello"}.
--
--   wrk -t2 -c64 -d10s --latency -s bench/api_post.lua http://127.0.0.1:PORT -- SESSIONS_FILE
--
-- The bearer secret is read from the environment (API_BENCH_KEY), so it never shows in `ps`.
-- SESSIONS_FILE holds one session id per line. Each wrk thread sends its requests to those
-- sessions in turn (round-robin), thread N starting at a different offset, so the writes are
-- spread evenly over all of them. wrk's Lua API has no per-connection hook, so the choice is
-- per request, not per connection.
--
-- response() counts 2xx and non-2xx responses per thread; done() sums them over the threads and
-- prints one machine-readable line (parsed by api.sh), plus one line per non-2xx status seen:
--
--   API_BENCH ok=N non2xx=N duration_us=N p50_us=N p99_us=N connect_errors=N read_errors=N
--             write_errors=N timeouts=N          (all on one line)
--   API_BENCH_STATUS status=500 count=N

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local next_index = 1

function init(args)
   ok, non2xx, statuses = 0, 0, {}
   local key = os.getenv("API_BENCH_KEY")
   if key == nil or key == "" then error("api_post.lua: API_BENCH_KEY is not set") end
   local path = args[1]
   if path == nil then error("api_post.lua: pass the sessions file: -- SESSIONS_FILE") end
   local file = assert(io.open(path, "r"))
   local headers = {
      ["Authorization"] = "Bearer " .. key,
      ["Content-Type"] = "application/json",
   }
   local body = '{"content":"hello"}'
   for id in file:lines() do
      if id ~= "" then
         table.insert(requests, wrk.format("POST", "/v1/sessions/" .. id .. "/messages", headers, body))
      end
   end
   file:close()
   if #requests == 0 then error("api_post.lua: no session ids in " .. path) end
   -- Spread the threads' starting points over the list.
   next_index = ((tid or 0) * math.floor(#requests / 2)) % #requests + 1
end

function request()
   local r = requests[next_index]
   next_index = next_index % #requests + 1
   return r
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
