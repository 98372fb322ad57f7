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
-- Responses are counted and summarised by api_counting.lua (the API_BENCH lines api.sh parses).

-- The counting and the summary line are shared with the other API script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "api_counting.lua")

function init(args)
   reset_counts()
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
