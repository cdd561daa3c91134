/**
 * The Lua scripts of the Redis swarm store; each runs atomically inside Redis, so several tracker
 * nodes can announce into one swarm at once.
 *
 * Keys of one swarm (`<p>` = prefix, `<h>` = info hash in hex, family `f` = 4 or 6):
 *   <p>{<h>}:s<f>   HASH  seeders: peer id (20 bytes) -> address+port (6 or 18 bytes) .. key (decimal)
 *   <p>{<h>}:l<f>   HASH  leechers, same form
 *   <p>{<h>}:t<f>   ZSET  peer id scored by last announce (seconds)
 *   <p>{<h>}:d      STRING  completed downloads
 * Global keys: <p>swarms (ZSET: 20-byte info hash scored by last activity), <p>totals (HASH: s, l).
 * Counts are the hashes' lengths, so they cannot drift; `totals` is kept beside them for metrics.
 */

const EXPIRE = `
local function expire(s, l, t, cutoff, totals)
  local stale = redis.call('ZRANGEBYSCORE', t, '-inf', '(' .. cutoff, 'LIMIT', 0, 500)
  for i = 1, #stale do
    local p = stale[i]
    if redis.call('HDEL', s, p) == 1 then redis.call('HINCRBY', totals, 's', -1) end
    if redis.call('HDEL', l, p) == 1 then redis.call('HINCRBY', totals, 'l', -1) end
    redis.call('ZREM', t, p)
  end
  return #stale
end
`;

/**
 * KEYS: 1 s(own family) 2 l(own) 3 t(own) 4 s(other) 5 l(other) 6 t(other) 7 downloaded 8 swarms
 *       9 totals
 * ARGV: 1 peer id  2 address+port  3 seeder 0|1  4 event  5 numwant  6 now  7 ttl  8 max peers
 *       9 info hash (swarms member)  10 address length (own)  11 address length (other)
 *       12 other family 0|1  13 key (decimal)  14 want ids 0|1  15 seeders too 0|1
 * Returns: { seeders, leechers, downloaded, own peers, own ids, other peers, other ids }
 */
export const ANNOUNCE_LUA = `${EXPIRE}
local now = tonumber(ARGV[6])
local cutoff = now - tonumber(ARGV[7])
expire(KEYS[1], KEYS[2], KEYS[3], cutoff, KEYS[9])
expire(KEYS[4], KEYS[5], KEYS[6], cutoff, KEYS[9])
local id, addr, seeder, event = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4]
local alen, key = tonumber(ARGV[10]), ARGV[13]
local old = redis.call('HGET', KEYS[1], id)
local wasSeeder = old ~= false
if not old then old = redis.call('HGET', KEYS[2], id) end
local owner = true
if old and string.sub(old, 1, alen) ~= string.sub(addr, 1, alen) then
  owner = key ~= '0' and string.sub(old, alen + 3) == key
end
local value = addr .. key
if event == 'stopped' then
  if old and owner then
    redis.call('HDEL', wasSeeder and KEYS[1] or KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('HINCRBY', KEYS[9], wasSeeder and 's' or 'l', -1)
  end
elseif owner then
  if old then
    if wasSeeder ~= seeder then
      redis.call('HDEL', wasSeeder and KEYS[1] or KEYS[2], id)
      redis.call('HINCRBY', KEYS[9], wasSeeder and 's' or 'l', -1)
      redis.call('HINCRBY', KEYS[9], seeder and 's' or 'l', 1)
      if event == 'completed' and seeder then redis.call('INCR', KEYS[7]) end
    end
    redis.call('HSET', seeder and KEYS[1] or KEYS[2], id, value)
    redis.call('ZADD', KEYS[3], now, id)
  elseif redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[2]) < tonumber(ARGV[8]) then
    redis.call('HSET', seeder and KEYS[1] or KEYS[2], id, value)
    redis.call('ZADD', KEYS[3], now, id)
    redis.call('HINCRBY', KEYS[9], seeder and 's' or 'l', 1)
  end
  redis.call('ZADD', KEYS[8], now, ARGV[9])
end
local function pick(s, l, n, al)
  local out, ids = {}, {}
  if n <= 0 then return '', '', 0 end
  local pools = (seeder and ARGV[15] ~= '1') and { l } or { l, s }
  for _, k in ipairs(pools) do
    if #out >= n then break end
    local r = redis.call('HRANDFIELD', k, n + 1, 'WITHVALUES')
    for i = 1, #r, 2 do
      if #out >= n then break end
      if r[i] ~= id then
        out[#out + 1] = string.sub(r[i + 1], 1, al + 2)
        ids[#ids + 1] = r[i]
      end
    end
  end
  return table.concat(out), table.concat(ids), #out
end
local numwant = tonumber(ARGV[5])
if event == 'stopped' then numwant = 0 end
local p1, i1, n1 = pick(KEYS[1], KEYS[2], numwant, alen)
local p2, i2 = '', ''
if ARGV[12] == '1' then p2, i2 = pick(KEYS[4], KEYS[5], numwant - n1, tonumber(ARGV[11])) end
if ARGV[14] ~= '1' then i1, i2 = '', '' end
local seeders = redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[4])
local leechers = redis.call('HLEN', KEYS[2]) + redis.call('HLEN', KEYS[5])
local downloaded = tonumber(redis.call('GET', KEYS[7]) or '0')
return { seeders, leechers, downloaded, p1, i1, p2, i2 }
`;

/**
 * Expires one swarm and drops it when empty and idle.
 * KEYS: 1..6 as in ANNOUNCE_LUA, 7 downloaded, 8 swarms, 9 totals. ARGV: 1 cutoff 2 info hash.
 * Returns the number of peers removed.
 */
export const SWEEP_LUA = `${EXPIRE}
local cutoff = tonumber(ARGV[1])
local removed = expire(KEYS[1], KEYS[2], KEYS[3], cutoff, KEYS[9]) + expire(KEYS[4], KEYS[5], KEYS[6], cutoff, KEYS[9])
local left = redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[2]) + redis.call('HLEN', KEYS[4]) + redis.call('HLEN', KEYS[5])
local score = redis.call('ZSCORE', KEYS[8], ARGV[2])
if left == 0 and (not score or tonumber(score) < cutoff) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  redis.call('ZREM', KEYS[8], ARGV[2])
end
return removed
`;
