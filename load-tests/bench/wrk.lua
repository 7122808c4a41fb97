-- wrk script for bench.sh. One script for every endpoint, so the generator does the same work per request:
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:8080 -- presign tokens.txt    (POST /api/s3/presign)
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:8080 -- download tokens.txt   (POST /api/s3/download)
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:8080 -- sign tokens.txt       (POST /api/s3/sign, UploadPart)
--   wrk -t1 -c32 -d15s -s wrk.lua http://127.0.0.1:9090 -- live                  (GET /health/live)
--   wrk ... -- parts uploads.txt 100     (POST /api/s3/multipart/sign, 100 part URLs a call; lifecycle-bench.sh)
--   wrk ... -- listparts uploads.txt     (POST /api/s3/multipart/parts: ListMultipartUploads + ListParts at S3)
--   wrk ... -- companion-part uploads.txt (GET /api/companion/s3/multipart/{id}/{n}?key=: one S3 check + one URL)
--   wrk ... -- confirm objects.txt       (POST /api/s3/uploads/confirm: HeadObject at S3)
-- uploads.txt: "token<TAB>key<TAB>uploadId" per line, multipart uploads of the token's caller; objects.txt:
-- "token<TAB>key" per line, stored objects of the token's caller.
-- tokens.txt: one bearer token per line (bench.sh mints them at the dev issuer). A third argument after the token
-- file sets the key prefix template of download and sign keys (default "users/{sub}/", KEY_PREFIX_TEMPLATE); {sub}
-- is each token's own subject, read from its payload. Prints one RESULT line.
--
-- Every request is built in init(), before the clock starts: a pool of POOL raw HTTP requests, token i of the file
-- round-robin (live: the same GET POOL times). presign: a random file name "Quarterly Report N.ext", a content type
-- from the list and a random size. download: a key of the caller's own, "<prefix><uuid>/Quarterly Report N.ext", and
-- that file name as the download name (signed as Content-Disposition). sign: Uppy 6's UploadPart request, PUT on a
-- key of the caller's own with a random S3-like uploadId and a part number from 1 to 10000. request() only returns
-- the next string of the pool, for every endpoint, so the generator's CPU per request (it shares the cores with the
-- gateway) does not depend on the endpoint. Building each presign in request() (string.format, math.random,
-- wrk.format) cost wrk about 2x the CPU of a no-op request.

local POOL = 4096
local types = { { "image/png", "png" }, { "text/plain", "txt" }, { "application/pdf", "pdf" },
  { "image/jpeg", "jpg" }, { "text/csv", "csv" }, { "application/json", "json" } }
local threads = 0
local pool, n, i = {}, 0, 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

-- The "sub" claim of a JWT, read from its payload without verifying it (the gateway does that).
local function subject(jwt)
  local payload = jwt:match("^[^.]+%.([^.]+)%.")
  if not payload then error("not a JWT: " .. jwt:sub(1, 20)) end
  local out, acc, nbits = {}, 0, 0
  for c in payload:gmatch(".") do
    local d = B64URL:find(c, 1, true)
    if d then
      acc = acc * 64 + (d - 1)
      nbits = nbits + 6
      if nbits >= 8 then
        nbits = nbits - 8
        local p = 2 ^ nbits
        out[#out + 1] = string.char(math.floor(acc / p))
        acc = acc % p
      end
    end
  end
  local sub = table.concat(out):match('"sub"%s*:%s*"([^"]*)"')
  if not sub then error("a token has no sub claim") end
  return sub
end

local function uuid()
  local function hex(n)
    local t = {}
    for k = 1, n do t[k] = string.format("%x", math.random(0, 15)) end
    return table.concat(t)
  end
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
end

local function upload_id()
  local t = {}
  for k = 1, 64 do
    local c = math.random(#ID_CHARS)
    t[k] = ID_CHARS:sub(c, c)
  end
  return table.concat(t)
end

local function post(path, token, body)
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function init(args)
  local mode = args[1] or "live"
  math.randomseed(os.time() * 100 + (seed or 0))
  if mode == "presign" or mode == "download" or mode == "sign" then
    local tokens, prefixes = {}, {}
    local template = args[3] or "users/{sub}/"
    for line in io.lines(args[2]) do
      if #line > 0 then
        tokens[#tokens + 1] = line
        if mode ~= "presign" then
          local sub = subject(line)
          prefixes[#tokens] = template:gsub("{sub}", function() return sub end)
        end
      end
    end
    if #tokens == 0 then error("no token in " .. tostring(args[2])) end
    -- Each thread starts at its own place in the token list, so threads do not send the same caller in step.
    local first = math.random(#tokens)
    for k = 1, POOL do
      local j = (first + k - 2) % #tokens + 1
      local t = types[math.random(#types)]
      local name = string.format("Quarterly Report %d.%s", math.random(1, 999999), t[2])
      local body
      if mode == "presign" then
        body = string.format('{"filename":"%s","contentType":"%s","size":%d}', name, t[1],
          math.random(1, 10485760))
        pool[k] = post("/api/s3/presign", tokens[j], body)
      elseif mode == "download" then
        body = string.format('{"key":"%s%s/%s","filename":"%s"}', prefixes[j], uuid(), name, name)
        pool[k] = post("/api/s3/download", tokens[j], body)
      else
        body = string.format('{"method":"PUT","key":"%s%s/big-%d.bin","uploadId":"%s","partNumber":%d}',
          prefixes[j], uuid(), math.random(1, 999999), upload_id(), math.random(1, 10000))
        pool[k] = post("/api/s3/sign", tokens[j], body)
      end
    end
  elseif mode == "parts" or mode == "listparts" or mode == "companion-part" or mode == "confirm" then
    local rows = {}
    for line in io.lines(args[2]) do
      if #line > 0 then
        local token, key, id = line:match("^([^\t]+)\t([^\t]+)\t?([^\t]*)$")
        if not token then error("not token<TAB>key[<TAB>uploadId]: " .. line:sub(1, 40)) end
        rows[#rows + 1] = { token, key, id }
      end
    end
    if #rows == 0 then error("no line in " .. tostring(args[2])) end
    local per_call = tonumber(args[3] or "100")
    local function esc(v) return (v:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end)) end
    local first = math.random(#rows)
    for k = 1, POOL do
      local r = rows[(first + k - 2) % #rows + 1]
      if mode == "parts" then
        local start = math.random(1, 10001 - per_call)
        local numbers = {}
        for p = 1, per_call do numbers[p] = tostring(start + p - 1) end
        pool[k] = post("/api/s3/multipart/sign", r[1], string.format('{"key":"%s","uploadId":"%s","partNumbers":[%s]}',
          r[2], r[3], table.concat(numbers, ",")))
      elseif mode == "listparts" then
        pool[k] = post("/api/s3/multipart/parts", r[1], string.format('{"key":"%s","uploadId":"%s"}', r[2], r[3]))
      elseif mode == "confirm" then
        pool[k] = post("/api/s3/uploads/confirm", r[1], string.format('{"key":"%s"}', r[2]))
      else
        pool[k] = wrk.format("GET", string.format("/api/companion/s3/multipart/%s/%d?key=%s", esc(r[3]),
          math.random(1, 10000), esc(r[2])), { ["Authorization"] = "Bearer " .. r[1], ["Accept"] = "application/json" })
      end
    end
  elseif mode == "live" then
    local get = wrk.format("GET", "/health/live")
    for k = 1, POOL do pool[k] = get end
  else
    error("mode must be presign, download, sign, parts, listparts, companion-part, confirm or live, not "
      .. tostring(mode))
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
