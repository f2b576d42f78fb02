-- bench/kb-search.lua - wrk script for KB search: GET /api/v1/kb/search?q=… with the
-- queries of KB_QUERIES (a file, one query a line, UTF-8), in turn, as a logged-in
-- employee:
--   KB_COOKIE='portal_session=…' KB_QUERIES=queries.txt wrk -s bench/kb-search.lua URL
-- bench/kb-run makes the file from the table bench_kb_queries (bench/kb-data.sql).
-- done() prints "kb-lua: p50_ms=… p90_ms=… p95_ms=… p99_ms=… non2xx=… requests=…":
-- wrk's --latency table has no 95th percentile.
local cookie = os.getenv("KB_COOKIE")
local file = os.getenv("KB_QUERIES")
if not cookie or cookie == "" or not file or file == "" then
  io.stderr:write("bench/kb-search.lua: set KB_COOKIE='portal_session=<token>' and KB_QUERIES=<file>\n")
  os.exit(2)
end

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local paths = {}
for line in io.lines(file) do
  if line ~= "" then paths[#paths + 1] = "/api/v1/kb/search?q=" .. encode(line) end
end
if #paths == 0 then
  io.stderr:write("bench/kb-search.lua: no queries in " .. file .. "\n")
  os.exit(2)
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local next_query
function init(args)
  next_query = ((tid or 1) - 1) * 97 % #paths + 1
  wrk.headers["Cookie"] = cookie
  wrk.headers["Accept"] = "application/json"
end

function request()
  local p = paths[next_query]
  next_query = next_query % #paths + 1
  return wrk.format("GET", p)
end

function done(summary, latency, requests)
  io.write(string.format("kb-lua: p50_ms=%.3f p90_ms=%.3f p95_ms=%.3f p99_ms=%.3f non2xx=%d requests=%d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
