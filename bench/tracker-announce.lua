-- Varied BEP 3 announces for wrk, used by bench/tracker.ts (run: wrk ... -s tracker-announce.lua <url> -- <hashes.txt>).
-- Each request announces one of the allowed info hashes (one 40-hex-digit hash a line in <hashes.txt>) at random,
-- for one of 50,000 peers (peer id "-WK0001-" + 12 digits, port derived from it), with the mix the issue asks for:
-- 10% event=started, 5% event=stopped, the rest regular; 25% seeders (left=0); compact=1; numwant=50.

local hashes = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line >= 40 then
      hashes[#hashes + 1] = (line:sub(1, 40):gsub("..", function(h) return "%" .. h end))
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  counter = counter + 1
  local ih = hashes[math.random(#hashes)]
  local peer = math.random(0, 49999)
  local r = math.random(100)
  local event = ""
  if r <= 10 then
    event = "&event=started"
  elseif r <= 15 then
    event = "&event=stopped"
  end
  local left = "1048576"
  if math.random(100) <= 25 then left = "0" end
  local path = "/announce?info_hash=" .. ih .. "&peer_id=-WK0001-" .. string.format("%012d", peer) ..
    "&port=" .. (1024 + peer % 60000) .. "&uploaded=0&downloaded=0&left=" .. left .. event ..
    "&compact=1&numwant=50&key=" .. string.format("%08x", peer)
  return wrk.format("GET", path)
end
