-- wrk script for bench.sh. One script for both endpoints, so the generator does the same work per request:
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:8080 -- presign tokens.txt   (POST /api/s3/presign)
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:9090 -- live                 (GET /health/live)
-- tokens.txt: one bearer token per line (bench.sh mints them at the dev issuer). Prints one RESULT line.

local types = { { "image/png", "png" }, { "text/plain", "txt" }, { "application/pdf", "pdf" },
  { "image/jpeg", "jpg" }, { "text/csv", "csv" }, { "application/json", "json" } }
local threads = 0
local mode, tokens = "live", {}

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  mode = args[1] or "live"
  if mode == "presign" then
    for line in io.lines(args[2]) do
      if #line > 0 then tokens[#tokens + 1] = line end
    end
    if #tokens == 0 then error("no token in " .. tostring(args[2])) end
  end
  math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
  if mode ~= "presign" then
    return wrk.format("GET", "/health/live")
  end
  local t = types[math.random(#types)]
  local body = string.format('{"filename":"Quarterly Report %d.%s","contentType":"%s","size":%d}',
    math.random(1, 999999), t[2], t[1], math.random(1, 10485760))
  return wrk.format("POST", "/api/s3/presign", {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json",
  }, body)
end

-- status counts answers other than 2xx/3xx: a run with any is not a measurement of valid presigns.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_us=%d p99_us=%d p999_us=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), e.status, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
