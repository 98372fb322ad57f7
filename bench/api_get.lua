-- wrk script for bench/api.sh: GET /v1/sessions/{id}/messages?limit=20 on one session.
--
--   wrk -t2 -c64 -d10s --latency -s bench/api_get.lua http://127.0.0.1:PORT -- SESSION_ID [LIMIT]
--
-- The bearer secret is read from the environment (API_BENCH_KEY), so it never shows in `ps`.
-- Counts 2xx and non-2xx responses and prints the same API_BENCH / API_BENCH_STATUS lines as
-- api_post.lua (see there).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local req

function init(args)
   ok, non2xx, statuses = 0, 0, {}
   local key = os.getenv("API_BENCH_KEY")
   if key == nil or key == "" then error("api_get.lua: API_BENCH_KEY is not set") end
   local id = args[1]
   if id == nil or id == "" then error("api_get.lua: pass the session id: -- SESSION_ID [LIMIT]") end
   local limit = args[2] or "20"
   req = wrk.format("GET", "/v1/sessions/" .. id .. "/messages?limit=" .. limit,
                    { ["Authorization"] = "Bearer " .. key })
end

function request()
   return req
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
