-- wrk script for bench/views/run: POST one GraphQL request body on every request.
--
--   wrk -c 8 -d 20s --latency -s bench/views/post.lua URL -- BODY.json [AUTHORIZATION]
--
-- BODY.json is the whole request body ({"query": ..., "variables": ...}); AUTHORIZATION, when
-- given, is sent as the Authorization header. Every response is
-- looked at: a status outside 2xx counts as non_2xx, a 2xx body with an "errors" member counts as
-- graphql_errors. done() prints one line starting with WRK_JSON for the harness to parse.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  if args[2] then
    wrk.headers["Authorization"] = args[2]  -- greenrong: the harness's bearer token
  end
  graphql_errors = 0
  non_2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  elseif string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local graphql, bad_status = 0, 0
  for _, thread in ipairs(threads) do
    graphql = graphql + thread:get("graphql_errors")
    bad_status = bad_status + thread:get("non_2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "graphql_errors": %d, "non_2xx": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    graphql, bad_status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
