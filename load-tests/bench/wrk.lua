-- wrk script for bench.sh. One script for both endpoints, so the generator does the same work per request:
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:8080 -- presign tokens.txt   (POST /api/s3/presign)
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:9090 -- live                 (GET /health/live)
-- tokens.txt: one bearer token per line (bench.sh mints them at the dev issuer). Prints one RESULT line.
--
-- Every request is built in init(), before the clock starts: a pool of POOL raw HTTP requests (presign: token i of
-- the file round-robin, a random file name "Quarterly Report N.ext", a content type from the list and a random
-- size; live: the same GET POOL times). request() only returns the next string of the pool, for both endpoints, so
-- the generator's CPU per request (it shares the cores with the gateway) does not depend on the endpoint. Building
-- each presign in request() (string.format, math.random, wrk.format) cost wrk about 2x the CPU of a no-op request.

local POOL = 4096
local types = { { "image/png", "png" }, { "text/plain", "txt" }, { "application/pdf", "pdf" },
  { "image/jpeg", "jpg" }, { "text/csv", "csv" }, { "application/json", "json" } }
local threads = 0
local pool, n, i = {}, 0, 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  local mode = args[1] or "live"
  math.randomseed(os.time() * 100 + (seed or 0))
  if mode == "presign" then
    local tokens = {}
    for line in io.lines(args[2]) do
      if #line > 0 then tokens[#tokens + 1] = line end
    end
    if #tokens == 0 then error("no token in " .. tostring(args[2])) end
    -- Each thread starts at its own place in the token list, so threads do not send the same caller in step.
    local first = math.random(#tokens)
    for k = 1, POOL do
      local t = types[math.random(#types)]
      local body = string.format('{"filename":"Quarterly Report %d.%s","contentType":"%s","size":%d}',
        math.random(1, 999999), t[2], t[1], math.random(1, 10485760))
      pool[k] = wrk.format("POST", "/api/s3/presign", {
        ["Authorization"] = "Bearer " .. tokens[(first + k - 2) % #tokens + 1],
        ["Content-Type"] = "application/json",
      }, body)
    end
  elseif mode == "live" then
    local get = wrk.format("GET", "/health/live")
    for k = 1, POOL do pool[k] = get end
  else
    error("mode must be presign or live, not " .. tostring(mode))
  end
  n = POOL
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return pool[i]
end

-- status counts answers other than 2xx/3xx: a run with any is not a measurement of valid presigns.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_us=%d p99_us=%d p999_us=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), e.status, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
