/**
 * The mainline DHT (BEP 5 over IPv4, BEP 42 node ids; BEP 32 IPv6 is not spoken): a node that finds
 * peers for an info hash and announces ours, behind a small interface over `bittorrent-dht`, with the
 * socket, limits, outbound policy and persistence our own (see `dht.ts`). Imports `bencode` and `net`.
 */

export { DEFAULT_BOOTSTRAP, parseBootstrap, resolveBootstrap } from './bootstrap.js';
export { Dht, type DhtOptions } from './dht.js';
export { type Address, MAX_DATAGRAM, parseKrpc } from './krpc.js';
export { crc32c, nodeIdFor, nodeIdMatches } from './node-id.js';
export { QueryRateLimit, type RateLimitOptions } from './rate-limit.js';
export { DhtSocket, type DhtSocketOptions, type DhtSocketStats } from './socket.js';
export { type DhtState, loadState, saveState } from './state.js';
