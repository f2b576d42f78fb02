-- bench/feed.lua - wrk script for the feed scenario: every request is the URL given to
-- wrk (GET /api/v1/feed/posts?limit=20) with the session cookie of a logged-in
-- employee, taken from the environment:
--   FEED_COOKIE='portal_session=…' wrk -s bench/feed.lua http://127.0.0.1:8080/api/v1/feed/posts?limit=20
-- bench/feed-run logs in with curl and sets it.
local cookie = os.getenv("FEED_COOKIE")
if not cookie or cookie == "" then
  io.stderr:write("bench/feed.lua: set FEED_COOKIE to 'portal_session=<token>'\n")
  os.exit(2)
end
wrk.method = "GET"
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "application/json"

-- A wrong cookie answers 401 fast and would flatter the numbers: bench/run-style
-- parsing counts non-2xx, and done() says so plainly too.
function done(summary, latency, requests)
  local bad = summary.errors.status
  if bad > 0 then
    io.stderr:write(string.format("bench/feed.lua: %d non-2xx responses of %d\n", bad, summary.requests))
  end
end
