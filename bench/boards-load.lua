-- bench/boards-load.lua - wrk script for loading a board: every request is the URL given
-- to wrk (GET /api/v1/boards/{id}) with the session cookie of a logged-in employee:
--   BOARDS_COOKIE='portal_session=…' wrk -s bench/boards-load.lua http://…/api/v1/boards/7
-- bench/boards-run logs in with curl and sets it. done() prints the percentiles wrk
-- itself leaves out (p95) as one line: "boards-lua: p50_us=… p95_us=… p99_us=… max_us=…".
local cookie = os.getenv("BOARDS_COOKIE")
if not cookie or cookie == "" then
  io.stderr:write("bench/boards-load.lua: set BOARDS_COOKIE to 'portal_session=<token>'\n")
  os.exit(2)
end
wrk.method = "GET"
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  io.write(string.format("boards-lua: p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  if summary.errors.status > 0 then
    io.stderr:write(string.format("bench/boards-load.lua: %d non-2xx responses of %d\n",
      summary.errors.status, summary.requests))
  end
end
