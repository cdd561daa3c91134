import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { announce, bin, sdp, wsClient } from '../../../../test/helpers/ws-client.js';
import { allowSet } from '../../service/allow-list.js';
import { MemoryStore } from '../../stores/memory-store.js';
import { type RunningTracker, startTracker } from '../../tracker.js';
import type { WsLocalPeer } from './ws-local-peer.js';

const H = bin(1);

async function tracker(options: Parameters<typeof startTracker>[0] = {}): Promise<RunningTracker> {
  return startTracker({ port: 0, udp: false, store: new MemoryStore(), ...options });
}

describe('the WebSocket tracker relays offers and answers', () => {
  let t: RunningTracker;
  before(async () => {
    t = await tracker();
  });
  after(async () => t.close());

  test('an announce is answered with interval, info_hash and the swarm counts', async () => {
    const a = await wsClient(t.wsUrl!);
    a.send(announce(H, bin('a1'), { left: 0 }));
    const res = await a.next();
    assert.deepEqual(res, { action: 'announce', interval: 120, info_hash: H, complete: 1, incomplete: 0 });
    await a.close();
  });

  test('offers go to other peers (never back to the sender) and the answer to to_peer_id', async () => {
    const h = bin(2);
    const seeder = await wsClient(t.wsUrl!);
    seeder.send(announce(h, bin('seed'), { left: 0 }));
    assert.equal((await seeder.next()).complete, 1);
    const leecher = await wsClient(t.wsUrl!);
    leecher.send(
      announce(h, bin('leech'), {
        offers: [
          [bin('o1'), sdp('o1')],
          [bin('o2'), sdp('o2')],
        ],
      }),
    );
    assert.deepEqual(await leecher.next(), {
      action: 'announce',
      interval: 120,
      info_hash: h,
      complete: 1,
      incomplete: 1,
    });
    const offer = await seeder.next();
    assert.equal(offer.peer_id, bin('leech'));
    assert.equal(offer.info_hash, h);
    assert.ok(offer.offer_id === bin('o1') || offer.offer_id === bin('o2'));
    assert.deepEqual(offer.offer, {
      type: 'offer',
      sdp: offer.offer_id === bin('o1') ? sdp('o1') : sdp('o2'),
    });
    assert.ok(await seeder.quiet(100), 'one offer per peer');
    assert.ok(await leecher.quiet(100), 'its own offer never comes back to the sender');
    seeder.send({
      action: 'announce',
      info_hash: h,
      peer_id: bin('seed'),
      to_peer_id: bin('leech'),
      offer_id: offer.offer_id,
      answer: { type: 'answer', sdp: sdp('answer') },
    });
    assert.deepEqual(await leecher.next(), {
      action: 'announce',
      answer: { type: 'answer', sdp: sdp('answer') },
      offer_id: offer.offer_id,
      peer_id: bin('seed'),
      info_hash: h,
    });
    assert.ok(await seeder.quiet(100), 'an answer gets no announce reply');
    await seeder.close();
    await leecher.close();
  });

  test('counts of WebSocket peers show in stats and HTTP scrapes, not in HTTP peer lists', async () => {
    const h = bin(3);
    const a = await wsClient(t.wsUrl!);
    a.send(announce(h, bin('s1'), { left: 0 }));
    await a.next();
    const b = await wsClient(t.wsUrl!);
    b.send(announce(h, bin('l1'), { left: 5 }));
    await b.next();
    assert.deepEqual(await t.service.stats(Buffer.from(h, 'latin1')), {
      seeders: 1,
      leechers: 1,
      completed: 0,
    });
    const enc = [...Buffer.from(h, 'latin1')].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
    const scrape = Buffer.from(
      await (await fetch(`${t.httpUrl}/scrape?info_hash=${enc}`)).arrayBuffer(),
    ).toString('latin1');
    assert.match(scrape, /8:completei1e10:downloadedi0e10:incompletei1e/);
    const ann = Buffer.from(
      await (
        await fetch(
          `${t.httpUrl}/announce?info_hash=${enc}&peer_id=${'t'.repeat(20)}&port=6881&left=9&compact=1`,
        )
      ).arrayBuffer(),
    ).toString('latin1');
    assert.match(
      ann,
      /8:completei1e10:downloadedi0e10:incompletei2e/,
      'counts: the WebSocket peers and the HTTP peer',
    );
    assert.match(ann, /5:peers0:/, 'no WebSocket peer in the peer list');
    b.send(announce(h, bin('l1'), { left: 5, event: 'stopped' }));
    assert.equal((await b.next()).incomplete, 1, 'stopped: only the HTTP leecher is left');
    await a.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await t.service.stats(Buffer.from(h, 'latin1')), {
      seeders: 0,
      leechers: 1,
      completed: 0,
    });
    await b.close();
  });

  test('a WebSocket scrape answers files keyed by binary info hash', async () => {
    const h = bin(4);
    const a = await wsClient(t.wsUrl!);
    a.send(announce(h, bin('x'), { left: 0, event: 'completed' }));
    await a.next();
    a.send({ action: 'scrape', info_hash: [h, bin(5)] });
    assert.deepEqual(await a.next(), {
      action: 'scrape',
      files: {
        [h]: { complete: 1, incomplete: 0, downloaded: 1 },
        [bin(5)]: { complete: 0, incomplete: 0, downloaded: 0 },
      },
      flags: { min_request_interval: 900 },
    });
    await a.close();
  });
});

describe('the WebSocket tracker applies the allow-list', () => {
  test('a torrent not allowed gets the same failure reason as over HTTP', async () => {
    const t = await tracker({ allow: allowSet(new Set([Buffer.alloc(20, 9).toString('hex')])) });
    try {
      const a = await wsClient(t.wsUrl!);
      a.send(announce(bin(8), bin('p'), { offers: [[bin('o'), sdp('o')]] }));
      const res = await a.next();
      const enc = '%08'.repeat(20);
      const http = Buffer.from(
        await (
          await fetch(`${t.httpUrl}/announce?info_hash=${enc}&peer_id=${'t'.repeat(20)}&port=1&left=1`)
        ).arrayBuffer(),
      ).toString();
      const reason = /14:failure reason\d+:(.*)e$/.exec(http)?.[1];
      assert.deepEqual(res, { action: 'announce', 'failure reason': reason, info_hash: bin(8) });
      a.send(announce(bin(9), bin('p'), { left: 0 }));
      assert.equal((await a.next()).complete, 1, 'an allowed torrent is tracked');
      await a.close();
    } finally {
      await t.close();
    }
  });

  test('in the grace window a torrent not allowed yet is tracked but nothing is relayed', async () => {
    const t = await tracker({ allow: allowSet(new Set()), grace: { ttl: 60 } });
    try {
      const a = await wsClient(t.wsUrl!);
      a.send(announce(bin(7), bin('a'), { left: 0 }));
      const res = await a.next();
      assert.equal(res.interval, 60);
      const b = await wsClient(t.wsUrl!);
      b.send(announce(bin(7), bin('b'), { offers: [[bin('o'), sdp('o')]] }));
      assert.equal((await b.next()).complete, 1);
      assert.ok(await a.quiet(150), 'no offer relayed for a provisional torrent');
      await a.close();
      await b.close();
    } finally {
      await t.close();
    }
  });
});

describe('the local peer hook', () => {
  test('the site peer gets one offer of a leecher announce and its answer comes back', async () => {
    const t = await tracker();
    const asked: { infoHash: Buffer; fromPeerId: Buffer; offerId: Buffer; sdp: string }[] = [];
    const local: WsLocalPeer = {
      peerId: Buffer.from(bin('site'), 'latin1'),
      serves: (h) => h.equals(Buffer.from(bin(6), 'latin1')),
      async answer(offer) {
        asked.push(offer);
        return sdp('site-answer');
      },
    };
    t.service.wsLocalPeer = local;
    try {
      const other = await wsClient(t.wsUrl!);
      other.send(announce(bin(6), bin('other'), { left: 0 }));
      await other.next();
      const a = await wsClient(t.wsUrl!);
      a.send(
        announce(bin(6), bin('leech'), {
          offers: [
            [bin('o1'), sdp('o1')],
            [bin('o2'), sdp('o2')],
          ],
        }),
      );
      assert.equal((await a.next()).complete, 1, 'the local peer is not counted');
      const answer = await a.next();
      assert.deepEqual(answer, {
        action: 'announce',
        answer: { type: 'answer', sdp: sdp('site-answer') },
        offer_id: bin('o1'),
        peer_id: bin('site'),
        info_hash: bin(6),
      });
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.fromPeerId.toString('latin1'), bin('leech'));
      assert.equal(asked[0]!.sdp, sdp('o1'));
      assert.equal((await other.next()).offer_id, bin('o2'), 'the other offer goes to the other peer');
      // A seeder's offers never go to the local peer; nor offers for torrents it does not serve.
      const s = await wsClient(t.wsUrl!);
      s.send(announce(bin(6), bin('seeder2'), { left: 0, offers: [[bin('o3'), sdp('o3')]] }));
      await s.next();
      const u = await wsClient(t.wsUrl!);
      u.send(announce(bin(10), bin('u'), { offers: [[bin('o4'), sdp('o4')]] }));
      await u.next();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(asked.length, 1);
      for (const c of [other, a, s, u]) await c.close();
    } finally {
      await t.close();
    }
  });
});
