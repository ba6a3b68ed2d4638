-- get.lua: wrk script that sends GET requests for a mix of paths, in turn.
--
-- The mix is read from the file named by BENCH_URLS: one request a line,
-- a path (with its query) and optionally a tab and an entity-tag, which is
-- then sent as If-None-Match.  Each wrk thread starts at a different place
-- in the list, so the threads do not ask the same path at the same moment.
--
-- BENCH_HEADER, when set, is one "Name: value" header sent with every
-- request (the gzip mix sends Accept-Encoding: gzip).
--
-- done() writes the run's figures as one JSON object to the file named by
-- BENCH_RESULT: request count, duration, bytes, wrk's error counts
-- (connect, read, write, timeout, and status: answers 400 and above), the
-- answers whose status was not the one expected (counted
-- only by scripts that define response(), see revalidate.lua) and latency
-- percentiles in microseconds.

local urls_file = os.getenv("BENCH_URLS")
local threads = {}
local started = 0

function setup(thread)
   started = started + 1
   thread:set("thread_index", started)
   table.insert(threads, thread)
end

local requests_ = {}
local count = 0
local next_ = 0
unexpected = 0

local extra_name, extra_value = (os.getenv("BENCH_HEADER") or ""):match("^([^:]+):%s*(.*)$")

function init(args)
   for line in io.lines(urls_file) do
      local path, etag = line:match("^([^\t]+)\t?(.*)$")
      if path then
         local headers = nil
         if etag ~= "" then
            headers = { ["If-None-Match"] = etag }
         end
         if extra_name then
            headers = headers or {}
            headers[extra_name] = extra_value
         end
         requests_[#requests_ + 1] = wrk.format("GET", path, headers)
      end
   end
   count = #requests_
   if count == 0 then
      error("no requests in " .. tostring(urls_file))
   end
   local index = thread_index or 1
   next_ = ((index - 1) * math.floor(count / 2 + 0.5)) % count
end

function request()
   next_ = next_ % count + 1
   return requests_[next_]
end

function done(summary, latency, requests)
   local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
   local wrong = 0
   for _, thread in ipairs(threads) do
      wrong = wrong + (tonumber(thread:get("unexpected")) or 0)
   end
   local e = summary.errors
   out:write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
      '"unexpected_status":%d,' ..
      '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.timeout, e.status,
      wrong,
      latency.mean, latency.stdev,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max))
   out:close()
end
