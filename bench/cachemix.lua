-- cachemix.lua: wrk script for bench/cachemix_server.py: of every 100
-- requests, BENCH_JUNK_PCT are questions never asked before (a check of a
-- new name, or a search with a new page size and offset); the rest are
-- drawn at random from the hot set in the file named by BENCH_URLS (one
-- path with its query a line). Search words for the one-offs come from
-- BENCH_WORDS, ports for their checks from BENCH_PORTS (one a line).
--
-- done() writes the request count, duration and wrk's error counts as one
-- JSON object to the file named by BENCH_RESULT.

local threads = {}
local started = 0

function setup(thread)
   started = started + 1
   thread:set("thread_index", started)
   table.insert(threads, thread)
end

local function lines(name)
   local out = {}
   for line in io.lines(os.getenv(name)) do
      if line ~= "" then
         out[#out + 1] = line
      end
   end
   if #out == 0 then
      error("no lines in " .. tostring(os.getenv(name)))
   end
   return out
end

local hot, words, ports = {}, {}, {}
local junk_pct = 10
local sequence = 0

function init(args)
   for _, path in ipairs(lines("BENCH_URLS")) do
      hot[#hot + 1] = wrk.format("GET", path)
   end
   words = lines("BENCH_WORDS")
   ports = lines("BENCH_PORTS")
   junk_pct = tonumber(os.getenv("BENCH_JUNK_PCT")) or 10
   math.randomseed(1000 + (thread_index or 1))
end

function request()
   if math.random(100) > junk_pct then
      return hot[math.random(#hot)]
   end
   sequence = sequence + 1
   local tag = tostring(thread_index or 1) .. "-" .. tostring(sequence)
   if sequence % 2 == 1 then
      return wrk.format("GET", "/v1/check?port=" .. ports[math.random(#ports)] ..
                        "&protocol=tcp&name=oneoff-" .. tag)
   end
   return wrk.format("GET", "/v1/search?q=" .. words[math.random(#words)] ..
                     "&limit=" .. tostring(10 + math.random(89)) ..
                     "&offset=" .. tostring(sequence % 7))
end

function done(summary, latency, requests)
   local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
   local e = summary.errors
   out:write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
      '"latency_us":{"p50":%d,"p99":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(99)))
   out:close()
end
