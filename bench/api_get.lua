-- wrk script for bench/api.sh: GET /v1/sessions/{id}/messages?limit=20 on one session.
--
--   wrk -t2 -c64 -d10s --latency -s bench/api_get.lua http://127.0.0.1:PORT -- SESSION_ID [LIMIT]
--
-- The bearer secret is read from the environment (API_BENCH_KEY), so it never shows in `ps`.
-- Responses are counted and summarised by api_counting.lua (the API_BENCH lines api.sh parses).

-- The counting and the summary line are shared with the other API script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "api_counting.lua")

local req

function init(args)
   reset_counts()
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
