import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrackerService } from '../tracker/index.js';
import { ipBytes, TrackerRegistration } from './seeding-tracker.js';

const V1 = 'aa'.repeat(20);
const V2 = 'bb'.repeat(32);

function registration(interval = 1800) {
  const tracker = new TrackerService({ interval });
  const events: string[] = [];
  const announce = tracker.announce.bind(tracker);
  const reg = new TrackerRegistration({
    tracker: {
      interval,
      announce: (req) => {
        events.push(`${req.infoHash.toString('hex')}:${req.event}`);
        return announce(req);
      },
    },
    isOwn: (url) => url.startsWith('http://site.example/'),
    peerId: Buffer.alloc(20, 1),
    port: () => 6881,
    address: '192.0.2.7',
  });
  return { tracker, reg, events };
}

async function seedersOf(tracker: TrackerService, hex: string): Promise<number> {
  const res = await tracker.scrape({ infoHashes: [Buffer.from(hex.slice(0, 40), 'hex')], transport: 'http' });
  return res.files[0]?.counts.complete ?? 0;
}

describe('TrackerRegistration', () => {
  it("puts the site's peer in its swarms in process, under the v1 and truncated v2 hashes", async () => {
    const { tracker, reg } = registration();
    const early = {
      infoHash: Buffer.from(V1, 'hex'),
      peerId: Buffer.alloc(20, 3),
      ip: Buffer.from([198, 51, 100, 9]),
      port: 7000,
      uploaded: 0,
      downloaded: 0,
      left: 100,
      event: 'started' as const,
      numwant: 0,
      key: 0,
      wantPeerIds: false,
      transport: 'http' as const,
    };
    await tracker.announce(early); // a leecher waiting before the site's peer comes up
    const found: string[] = [];
    reg.add([V1, V2], (peers) => found.push(...peers.map((p) => `${p.host}:${p.port}`)));
    try {
      assert.deepEqual(found, ['198.51.100.9:7000'], 'the waiting leecher is handed to the session');
      assert.equal(await seedersOf(tracker, V1), 1);
      assert.equal(await seedersOf(tracker, V2), 1);
      const answer = await tracker.announce({
        infoHash: Buffer.from(V1, 'hex'),
        peerId: Buffer.alloc(20, 2),
        ip: Buffer.from([198, 51, 100, 1]),
        port: 5000,
        uploaded: 0,
        downloaded: 0,
        left: 100,
        event: 'started',
        numwant: 10,
        key: 0,
        wantPeerIds: false,
        transport: 'http',
      });
      assert.ok(
        answer.peers.v4.includes(Buffer.from([192, 0, 2, 7, 6881 >> 8, 6881 & 0xff])),
        "the site's peer is handed out",
      );
      reg.remove(V1, V2);
      assert.equal(await seedersOf(tracker, V1), 0, 'stopped');
      assert.equal(reg.size, 0);
    } finally {
      reg.close();
    }
  });

  it('refreshes every swarm once per interval, a share each period', () => {
    const { reg, events } = registration(10); // 10 s interval: a tenth of the swarms each second
    try {
      const hashes = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(40, '0'));
      reg.add(hashes);
      events.length = 0;
      for (let i = 0; i < 10; i++) reg.refresh();
      assert.equal(events.length, 30, 'ceil(25 / 10) each period');
      assert.equal(new Set(events).size, 25, 'every swarm refreshed within one interval');
      assert.ok(events.every((e) => e.endsWith(':none')));
    } finally {
      reg.close();
    }
  });

  it('reads IPv4 and IPv6 addresses', () => {
    assert.deepEqual([...ipBytes('127.0.0.1')], [127, 0, 0, 1]);
    assert.equal(ipBytes('::1').toString('hex'), `${'0'.repeat(30)}01`);
    assert.equal(ipBytes('2001:db8::1:2').toString('hex'), '20010db8000000000000000000010002');
    assert.equal(ipBytes('::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
  });
});
