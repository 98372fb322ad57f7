-- wrk script for bench/webhooks.sh: replays pre-signed Slack deliveries (bench/webhooks_gen.py)
-- to POST /webhooks/slack/CHANNEL. wrk's Lua has no HMAC, hence signing ahead of the run.
--
--   wrk -t2 -c64 -d10s --latency -s bench/webhooks_post.lua http://127.0.0.1:PORT -- FILE CHANNEL
--
-- Thread N takes every THREADS-th line starting at N, so no two threads send the same delivery;
-- a thread that runs out starts again, and those repeats are deduplicated by warden (200, nothing
-- stored): webhooks.sh generates enough lines that this does not happen at the goal rate, and
-- checks the stored count against the acknowledged one.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "api_counting.lua")

function init(args)
   reset_counts()
   local path, channel, nthreads = args[1], args[2], tonumber(args[3] or "2")
   if path == nil or channel == nil then error("webhooks_post.lua: pass -- FILE CHANNEL THREADS") end
   local me = tid or 0
   local index = 0
   for line in io.lines(path) do
      if index % nthreads == me then
         local ts, signature, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
         table.insert(requests, wrk.format("POST", "/webhooks/slack/" .. channel, {
            ["Content-Type"] = "application/json",
            ["X-Slack-Request-Timestamp"] = ts,
            ["X-Slack-Signature"] = signature,
         }, body))
      end
      index = index + 1
   end
   if #requests == 0 then error("webhooks_post.lua: no deliveries in " .. path) end
end
