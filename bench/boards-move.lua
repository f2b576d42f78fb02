-- bench/boards-move.lua - wrk script for card moves on one board: every request is
-- POST /api/v1/cards/{random card}/move with a random target, as drag and drop sends it:
--   half of them {"after_id": random card}, a quarter {"before_id": random card} (the
--   target column is the neighbour's), a quarter {"column_id": random column} (to the
--   bottom of it).
-- Environment: BOARDS_COOKIE ('portal_session=…'), BOARDS_CSRF (the session's CSRF token),
-- BOARDS_CARDS ("LO-HI", the board's card ids), BOARDS_COLUMNS ("A,B,C", column ids).
-- done() prints "boards-lua: p50_us=… p95_us=… p99_us=… max_us=…".
local cookie, csrf = os.getenv("BOARDS_COOKIE"), os.getenv("BOARDS_CSRF")
local lo, hi = string.match(os.getenv("BOARDS_CARDS") or "", "^(%d+)-(%d+)$")
local columns = {}
for c in string.gmatch(os.getenv("BOARDS_COLUMNS") or "", "%d+") do columns[#columns + 1] = c end
if not cookie or not csrf or not lo or #columns == 0 then
  io.stderr:write("bench/boards-move.lua: set BOARDS_COOKIE, BOARDS_CSRF, BOARDS_CARDS, BOARDS_COLUMNS\n")
  os.exit(2)
end
lo, hi = tonumber(lo), tonumber(hi)

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

local headers = {
  ["Cookie"] = cookie,
  ["X-CSRF-Token"] = csrf,
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json",
}

function request()
  local card = math.random(lo, hi)
  local other = math.random(lo, hi - 1)
  if other >= card then other = other + 1 end
  local pick, body = math.random(), nil
  if pick < 0.5 then
    body = '{"after_id":' .. other .. '}'
  elseif pick < 0.75 then
    body = '{"before_id":' .. other .. '}'
  else
    body = '{"column_id":' .. columns[math.random(#columns)] .. '}'
  end
  return wrk.format("POST", "/api/v1/cards/" .. card .. "/move", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("boards-lua: p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  if summary.errors.status > 0 then
    io.stderr:write(string.format("bench/boards-move.lua: %d non-2xx responses of %d\n",
      summary.errors.status, summary.requests))
  end
end
