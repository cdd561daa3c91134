/**
 * The announce rules' table of cases (`announce-cases.ts`) against the JavaScript service, with
 * the memory store and (when the addon is built) the native store; the same table runs against the
 * native UDP fast path in `edges/udp/udp-fast-rules.test.ts`.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from '../stores/memory-store.js';
import { NativeStore, nativeStoreSupport } from '../stores/native-store.js';
import type { SwarmStore } from '../stores/store.js';
import { ANNOUNCE_CASES, comparable, observed, swarmAnnounces } from './announce-cases.js';
import { ANNOUNCE_DEFAULTS, isSeeder, peersWanted, seedersToo } from './announce-rules.js';
import { TrackerService } from './service.js';

const native = nativeStoreSupport();
if (!native.ok) {
  if (process.env.CI === 'true') throw new Error(`CI: native store unavailable: ${native.reason}`);
  console.warn(`\n*** SKIPPING the announce rules on the native store: ${native.reason} ***\n`);
}
const stores: [string, () => SwarmStore, string | false][] = [
  ['memory store', () => new MemoryStore(), false],
  ['native store', () => new NativeStore(), native.ok ? false : `native store unavailable: ${native.reason}`],
];

for (const [label, makeStore, skip] of stores) {
  describe(`announce rules, JavaScript service, ${label}`, { skip }, () => {
    for (const c of ANNOUNCE_CASES) {
      test(c.name, async () => {
        const service = new TrackerService({ store: makeStore(), ...c.options });
        try {
          const hash = Buffer.alloc(20, 0x5a);
          for (const req of swarmAnnounces(c, hash)) await service.announce(req);
          const res = await service.announce({
            infoHash: hash,
            peerId: Buffer.alloc(20, 0x61),
            ip: Buffer.from([127, 0, 0, 1]),
            port: 6881,
            uploaded: 0,
            downloaded: c.announce.downloaded,
            left: c.announce.left,
            event: c.announce.event,
            numwant: c.announce.numwant,
            key: 7,
            wantPeerIds: false,
            transport: 'udp',
          });
          assert.equal(res.peers.v6.length, 0, 'an IPv4 announce over UDP gets IPv4 peers only');
          assert.deepEqual(comparable(c, observed(res, res.peers.v4)), c.expect);
        } finally {
          await service.close();
        }
      });
    }
  });
}

test('the rules by themselves', () => {
  const { defaultNumwant: d, maxNumwant: m } = ANNOUNCE_DEFAULTS;
  assert.deepEqual(
    [
      peersWanted('started', -1, d, m),
      peersWanted('none', 10, d, m),
      peersWanted('completed', 5000, d, m),
      peersWanted('stopped', 10, d, m),
    ],
    [50, 10, 200, 0],
  );
  assert.deepEqual([isSeeder(0), isSeeder(1)], [true, false]);
  assert.deepEqual([seedersToo(0, 0), seedersToo(0, 1), seedersToo(1, 0)], [true, false, false]);
  const s = new TrackerService();
  assert.deepEqual(
    [
      s.interval,
      s.minInterval,
      s.maxScrape,
      s.fastPathRules()?.defaultNumwant,
      s.fastPathRules()?.maxNumwant,
    ],
    [1800, 900, 74, 50, 200],
    'the service takes its defaults from ANNOUNCE_DEFAULTS',
  );
});
