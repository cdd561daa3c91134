/**
 * Memory per peer of the in-memory swarm store (run by bench/tracker.ts with --expose-gc): fills a
 * store with PEERS peers (25% seeders) over SWARMS swarms and measures its growth after full
 * collections: of the V8 heap plus array buffers for the MemoryStore (STORE=js, the default), of the
 * process's resident memory for the store in C (STORE=native, whose memory V8 does not see). Prints
 * one JSON line.
 */

import { randomBytes } from 'node:crypto';
import { MemoryStore, NativeStore } from '../src/tracker/index.js';

const SWARMS = Number(process.env.SWARMS ?? 10_000);
const PEERS = Number(process.env.PEERS ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const native = process.env.STORE === 'native';

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return native ? m.rss : m.heapUsed + m.arrayBuffers;
}

const hashes = Array.from({ length: SWARMS }, () => randomBytes(20));
const store = native
  ? new NativeStore({ maxPeersPerSwarm: 1_000_000 })
  : new MemoryStore({ maxPeersPerSwarm: 1_000_000 });
const before = used();
const peerId = Buffer.alloc(20);
const ip = Buffer.alloc(4);
for (let i = 0; i < PEERS; i++) {
  peerId.writeUInt32BE(i, 0);
  peerId.write('-MB0001-', 4, 'latin1');
  randomBytes(8).copy(peerId, 12);
  ip.writeUInt32BE(0x0a000000 + i, 0);
  store.announce({
    infoHash: hashes[i % SWARMS]!,
    peerId,
    ip,
    port: 1024 + (i % 60000),
    key: i,
    seeder: i % 4 === 0,
    event: 'started',
    numwant: 0,
    wantPeerIds: false,
    otherFamily: false,
    now: 1_700_000_000,
  });
}
const after = used();
const size = await store.size();
const peers = size.seeders + size.leechers;
process.stdout.write(
  `${JSON.stringify({
    store: native ? 'native' : 'js',
    swarms: size.swarms,
    peers,
    bytesPerPeer: Math.round((after - before) / peers),
    tableBytesPerPeer: Math.round(store.tableBytes() / peers),
  })}\n`,
);
