import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { announce, bin, sdp, wsClient } from '../../../../test/helpers/ws-client.js';
import { MemoryStore } from '../../stores/memory-store.js';
import { type RunningTracker, startTracker } from '../../tracker.js';

describe('hostile WebSocket frames are answered or closed without harm', () => {
  let t: RunningTracker;
  before(async () => {
    t = await startTracker({ port: 0, udp: false, store: new MemoryStore() });
  });
  after(async () => t.close());

  /** After each hostile client, a fresh one is still served. */
  async function stillServes(): Promise<void> {
    const c = await wsClient(t.wsUrl!);
    c.send(announce(bin(1), bin('fine'), { left: 0 }));
    assert.equal((await c.next()).action, 'announce');
    await c.close();
  }

  test('malformed JSON closes the socket (1008)', async () => {
    const c = await wsClient(t.wsUrl!);
    c.send('{"action": "announce", ');
    assert.equal(await c.closed, 1008);
    await stillServes();
  });

  test('a JSON value that is not an object closes the socket', async () => {
    const c = await wsClient(t.wsUrl!);
    c.send('[1,2,3]');
    assert.equal(await c.closed, 1008);
  });

  test('a binary frame closes the socket (1003)', async () => {
    const c = await wsClient(t.wsUrl!);
    c.ws.send(Buffer.from(JSON.stringify(announce(bin(1), bin('b')))));
    assert.equal(await c.closed, 1003);
    await stillServes();
  });

  test('a frame over 64 KiB closes the socket (1009)', async () => {
    const c = await wsClient(t.wsUrl!);
    c.send(JSON.stringify(announce(bin(1), bin('big'), { offers: [[bin('o'), sdp('o', 70_000)]] })));
    assert.equal(await c.closed, 1009);
    await stillServes();
  });

  test('wrong types, 1000 offers, an unknown action, an answer to an unknown peer: failure reasons', async () => {
    const c = await wsClient(t.wsUrl!);
    const cases: [unknown, RegExp][] = [
      [{ action: 'announce', info_hash: 5, peer_id: bin('p') }, /invalid info_hash/],
      [{ action: 'announce', info_hash: 'short', peer_id: bin('p') }, /invalid info_hash/],
      [{ action: 'announce', info_hash: '\u0100'.repeat(20), peer_id: bin('p') }, /invalid info_hash/],
      [{ action: 'announce', info_hash: bin(1), peer_id: ['x'] }, /invalid peer_id/],
      [{ ...announce(bin(1), bin('p')), left: 'lots' }, /left, uploaded and downloaded/],
      [{ ...announce(bin(1), bin('p')), uploaded: -1 }, /left, uploaded and downloaded/],
      [{ ...announce(bin(1), bin('p')), numwant: 'all' }, /numwant/],
      [{ ...announce(bin(1), bin('p')), event: 42 }, /unknown event/],
      [{ ...announce(bin(1), bin('p')), offers: 'many' }, /offers must be a list/],
      [{ ...announce(bin(1), bin('p')), offers: [null] }, /an offer must be an object/],
      [announce(bin(1), bin('p'), { offers: [['short', sdp('o')]] }), /invalid offer_id/],
      [
        {
          ...announce(bin(1), bin('p')),
          offers: [{ offer_id: bin('o'), offer: { type: 'answer', sdp: 'x' } }],
        },
        /type must be 'offer'/,
      ],
      [
        { ...announce(bin(1), bin('p')), offers: [{ offer_id: bin('o'), offer: { type: 'offer', sdp: 7 } }] },
        /sdp must be a string/,
      ],
      [announce(bin(1), bin('p'), { offers: [[bin('o'), sdp('o', 20_000)]] }), /sdp longer than 16384/],
      [
        announce(bin(1), bin('p'), {
          offers: Array.from({ length: 11 }, (_, i) => [bin(`o${i}`), 'v=0'] as [string, string]),
        }),
        /at most 10 offers per announce/,
      ],
      [{ action: 'connect' }, /unknown action/],
      [{ info_hash: bin(1) }, /unknown action/],
      [{ action: 'scrape' }, /at least one info_hash/],
      [
        { action: 'scrape', info_hash: Array.from({ length: 75 }, (_, i) => bin(i)) },
        /at most 74 info hashes/,
      ],
      [{ action: 'scrape', info_hash: [3] }, /invalid info_hash/],
      [{ ...announce(bin(1), bin('p')), answer: { type: 'answer', sdp: 'x' } }, /invalid to_peer_id/],
      [
        {
          action: 'announce',
          info_hash: bin(1),
          peer_id: bin('nobody'),
          to_peer_id: bin('q'),
          offer_id: bin('o'),
          answer: { type: 'answer', sdp: 'x' },
        },
        /announce to this swarm before answering/,
      ],
    ];
    for (const [message, reason] of cases) {
      c.send(message);
      const res = await c.next();
      assert.match(String(res['failure reason']), reason, JSON.stringify(message).slice(0, 200));
    }
    c.send(announce(bin(1), bin('answerer'), { left: 0 }));
    await c.next();
    c.send({
      action: 'announce',
      info_hash: bin(1),
      peer_id: bin('answerer'),
      to_peer_id: bin('ghost'),
      offer_id: bin('o'),
      answer: { type: 'answer', sdp: 'x' },
    });
    const res = await c.next();
    assert.deepEqual(res, {
      action: 'announce',
      'failure reason': 'tracker: no peer with that to_peer_id',
      info_hash: bin(1),
    });
    assert.equal(c.ws.readyState, c.ws.OPEN, 'bad requests are answered, the socket stays');
    await c.close();
    await stillServes();
  });

  test('1000 offers in one announce: over the frame limit, the socket is closed (1009)', async () => {
    const c = await wsClient(t.wsUrl!);
    const offers = Array.from({ length: 1000 }, (_, i) => [bin(`o${i}`), 'v'] as [string, string]);
    c.send(announce(bin(1), bin('p'), { offers }));
    assert.equal(await c.closed, 1009);
    await stillServes();
  });

  test('a peer id held by a peer at another address is not taken over', async () => {
    const a = await wsClient(t.wsUrl!);
    a.send(announce(bin(2), bin('mine'), { left: 0 }));
    await a.next();
    // Same address (a reconnect): taken over.
    const b = await wsClient(t.wsUrl!);
    b.send(announce(bin(2), bin('mine'), { left: 0 }));
    assert.equal((await b.next()).complete, 1);
    await a.close();
    await b.close();
  });
});

describe('WebSocket limits', () => {
  test('a socket that floods is told to slow down, then closed (1008)', async () => {
    const t = await startTracker({ port: 0, udp: false, ws: { limits: { messagesPerSecond: 5, burst: 5 } } });
    try {
      const c = await wsClient(t.wsUrl!);
      for (let i = 0; i < 40; i++) c.send({ action: 'scrape', info_hash: bin(1) });
      const seen: string[] = [];
      for (;;) {
        const m = await c.next().catch(() => undefined);
        if (!m) break;
        seen.push(String(m['failure reason'] ?? m.action));
      }
      assert.ok(seen.filter((s) => s === 'scrape').length <= 5);
      assert.ok(seen.includes('tracker: too many messages, slow down'));
      assert.equal(await c.closed, 1008);
    } finally {
      await t.close();
    }
  });

  test('sockets beyond the per-address cap are refused with 503', async () => {
    const t = await startTracker({ port: 0, udp: false, ws: { limits: { maxPerAddress: 2 } } });
    try {
      const a = await wsClient(t.wsUrl!);
      const b = await wsClient(t.wsUrl!);
      await assert.rejects(wsClient(t.wsUrl!), /HTTP 503/);
      await a.close();
      await new Promise((r) => setTimeout(r, 50));
      const c = await wsClient(t.wsUrl!);
      await b.close();
      await c.close();
    } finally {
      await t.close();
    }
  });

  test('an idle socket is closed and its peers forgotten', async () => {
    const t = await startTracker({ port: 0, udp: false, ws: { limits: { idleSeconds: 1 } } });
    try {
      const c = await wsClient(t.wsUrl!);
      c.send(announce(bin(3), bin('idle'), { left: 0 }));
      await c.next();
      assert.equal((await t.service.stats(Buffer.from(bin(3), 'latin1'))).seeders, 1);
      assert.equal(await c.closed, 1000);
      // The server forgets the peer when its side of the socket closes, a moment later.
      for (let i = 0; i < 50 && (await t.service.stats(Buffer.from(bin(3), 'latin1'))).seeders > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal((await t.service.stats(Buffer.from(bin(3), 'latin1'))).seeders, 0);
    } finally {
      await t.close();
    }
  });

  test('only /announce upgrades on the standalone server; a handshake without a key is refused', async () => {
    const t = await startTracker({ port: 0, udp: false });
    try {
      await assert.rejects(wsClient(t.wsUrl!.replace('/announce', '/scrape')), /HTTP 200/);
      // A request head that asks for websocket with no key is refused by the handshake (400).
      const reply = await new Promise<string>((resolve) => {
        const s = connect(t.port, '127.0.0.1', () =>
          s.write('GET /announce HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
        );
        let out = '';
        s.on('data', (d) => {
          out += d.toString('latin1');
        });
        s.on('close', () => resolve(out));
      });
      assert.match(reply, /^HTTP\/1.1 400/);
    } finally {
      await t.close();
    }
  });
});
