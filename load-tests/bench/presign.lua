-- wrk script for bench.sh: valid presigns from a pool of callers, as PresignSimulation sends them.
--   wrk -t1 -c32 -d15s -s presign.lua http://127.0.0.1:8080 -- tokens.txt
-- tokens.txt holds one bearer token per line (bench.sh mints them at the dev issuer).

local types = { { "image/png", "png" }, { "text/plain", "txt" }, { "application/pdf", "pdf" },
  { "image/jpeg", "jpg" }, { "text/csv", "csv" }, { "application/json", "json" } }
local threads, tokens = 0, {}

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  if #tokens == 0 then error("no token in " .. tostring(args[1])) end
  math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
  local t = types[math.random(#types)]
  local body = string.format('{"filename":"Quarterly Report %d.%s","contentType":"%s","size":%d}',
    math.random(1, 999999), t[2], t[1], math.random(1, 10485760))
  return wrk.format("POST", "/api/s3/presign", {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json",
  }, body)
end
