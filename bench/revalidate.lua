-- revalidate.lua: as get.lua, for a mix of paths each sent with
-- If-None-Match and the entity-tag the server gave it, and every answer
-- expected to be 304 Not Modified.  Any other status (a 200 means the tag
-- did not match) is counted and reported as unexpected_status.
--
-- get.lua is found beside this file through BENCH_DIR.

dofile(os.getenv("BENCH_DIR") .. "/get.lua")

function response(status, headers, body)
   if status ~= 304 then
      unexpected = unexpected + 1
   end
end
