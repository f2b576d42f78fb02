-- bench/tickets-queue.lua - wrk script for the ticket queue: GET of the paths in the
-- file TICKETS_PATHS (one a line: /api/v1/tickets?status=open…), in turn, with the
-- session cookie of a logged-in employee (TICKETS_COOKIE); without TICKETS_PATHS it
-- requests the URL given to wrk (the hello ceiling). bench/tickets-run makes the file
-- from the table bench_ticket_paths (bench/tickets-data.sql).
-- done() prints "tickets-lua: rps=… p50_ms=… p95_ms=… p99_ms=… requests=… non2xx=…
-- socket_errors=…": wrk's --latency table has no 95th percentile.
local cookie = os.getenv("TICKETS_COOKIE")
local file = os.getenv("TICKETS_PATHS")

local paths = {}
if file and file ~= "" then
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  if #paths == 0 then
    io.stderr:write("bench/tickets-queue.lua: no paths in " .. file .. "\n")
    os.exit(2)
  end
end

-- bench/tickets-run uses one wrk thread, so one cursor over the paths is enough.
local next_path = 1
function init(args)
  if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
  wrk.headers["Accept"] = "application/json"
end

function request()
  if #paths == 0 then return wrk.format("GET") end
  local p = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", p)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "tickets-lua: rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout))
end
