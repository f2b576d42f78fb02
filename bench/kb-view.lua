-- bench/kb-view.lua - wrk script for the KB article view: every request is
-- GET /api/v1/kb/articles/{id} for a random id in [KB_ID_MIN, KB_ID_MAX], with the
-- session cookie of a logged-in employee:
--   KB_COOKIE='portal_session=…' KB_ID_MIN=8 KB_ID_MAX=100007 \
--     wrk -s bench/kb-view.lua http://127.0.0.1:8080
-- bench/kb-run logs in with curl and sets them. done() prints the latency percentiles
-- as "kb-lua: p50_ms=… p90_ms=… p95_ms=… p99_ms=… non2xx=… requests=…".
local cookie = os.getenv("KB_COOKIE")
local lo, hi = tonumber(os.getenv("KB_ID_MIN") or ""), tonumber(os.getenv("KB_ID_MAX") or "")
if not cookie or cookie == "" or not lo or not hi or hi < lo then
  io.stderr:write("bench/kb-view.lua: set KB_COOKIE='portal_session=<token>', KB_ID_MIN and KB_ID_MAX\n")
  os.exit(2)
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  wrk.headers["Cookie"] = cookie
  wrk.headers["Accept"] = "application/json"
end

function request()
  return wrk.format("GET", "/api/v1/kb/articles/" .. math.random(lo, hi))
end

function done(summary, latency, requests)
  io.write(string.format("kb-lua: p50_ms=%.3f p90_ms=%.3f p95_ms=%.3f p99_ms=%.3f non2xx=%d requests=%d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
