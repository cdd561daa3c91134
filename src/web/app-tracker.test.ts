/**
 * The site serves the tracker: `buildApp({ tracker })` answers BitTorrent announces at /announce
 * and scrapes at /scrape next to its pages, and the site reads the swarm's statistics.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, isBytes, isDict } from '../bencode/index.js';
import { TrackerService } from '../tracker/index.js';
import { buildApp } from './app.js';

const HASH = Buffer.from('c0ffee00112233445566778899aabbccddeeff01', 'hex');
const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

test('the site answers announces at /announce and shows swarm statistics', async () => {
  const tracker = new TrackerService({ allow: (h) => h.equals(HASH) });
  const app = buildApp({ tracker });
  const url = (peer: string, left: number) =>
    `/announce?info_hash=${enc(HASH)}&peer_id=${peer.padEnd(20, '0')}&port=51413&left=${left}`;
  await app.inject({ url: url('-SEED-', 0), remoteAddress: '192.0.2.1' });
  const res = await app.inject({ url: url('-LEECH-', 100), remoteAddress: '192.0.2.2' });
  assert.equal(res.statusCode, 200);
  const d = decode(res.rawPayload);
  assert.ok(isDict(d));
  const peers = d.get('peers');
  assert.ok(isBytes(peers));
  assert.deepEqual([...peers], [192, 0, 2, 1, 51413 >> 8, 51413 & 0xff]);
  assert.deepEqual(await tracker.stats(HASH), { seeders: 1, leechers: 1, completed: 0 });
  const other = await app.inject({ url: url('-X-', 1).replace(enc(HASH), enc(Buffer.alloc(20))) });
  assert.match(other.body, /failure reason/);
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'the rest of the site still works');
  await app.close();
});
