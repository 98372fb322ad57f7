-- wrk script: HTTP/1.1 pipelining.
-- Every write carries DEPTH requests (default 16) for the path in the URL given to wrk;
-- wrk then waits for all DEPTH responses before writing the next batch on that connection.
--
--   wrk -t2 -c64 -d10s --latency -s bench/pipeline.lua http://127.0.0.1:8080/healthz -- 16
--
-- Requests/sec counts every response. The latency wrk reports is per batch
-- (first byte written to last response read), not per request.

local batch

init = function(args)
   local depth = tonumber(args[1] or "") or 16
   if depth < 1 then depth = 1 end
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format("GET", wrk.path)
   end
   batch = table.concat(r)
end

request = function()
   return batch
end
