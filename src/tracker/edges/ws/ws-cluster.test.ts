import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RedisServer, redisAvailable, startRedis } from '../../../../test/helpers/redis.js';
import { announce, bin, sdp, wsClient } from '../../../../test/helpers/ws-client.js';
import { type RunningTracker, startTracker } from '../../tracker.js';
import { WsCluster } from './ws-cluster.js';

const available = redisAvailable('the shared WebSocket swarms');

describe('WebSocket swarms shared by two nodes through Redis', { skip: !available }, () => {
  let redis: RedisServer;
  let a: RunningTracker;
  let b: RunningTracker;
  const clusters: WsCluster[] = [];
  before(async () => {
    redis = await startRedis();
    const node = async (nodeId: string) => {
      const cluster = await WsCluster.connect(redis.url, { nodeId });
      clusters.push(cluster);
      return startTracker({ port: 0, udp: false, redisUrl: redis.url, ws: { cluster } });
    };
    a = await node('a');
    b = await node('b');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    for (const c of clusters) await c.close();
    await redis?.stop();
  });

  test('an offer made on A reaches a peer on B, and its answer comes back to A', async () => {
    const h = bin(7);
    const seeder = await wsClient(b.wsUrl!);
    seeder.send(announce(h, bin('seed-b'), { left: 0 }));
    assert.equal((await seeder.next()).complete, 1);
    const leecher = await wsClient(a.wsUrl!);
    leecher.send(announce(h, bin('leech-a'), { offers: [[bin('o1'), sdp('o1')]] }));
    const res = await leecher.next();
    assert.equal(res.complete, 1, "A counts B's seeder");
    assert.equal(res.incomplete, 1);
    const offer = await seeder.next();
    assert.equal(offer.peer_id, bin('leech-a'));
    assert.equal(offer.offer_id, bin('o1'));
    assert.deepEqual(offer.offer, { type: 'offer', sdp: sdp('o1') });
    seeder.send({
      action: 'announce',
      info_hash: h,
      peer_id: bin('seed-b'),
      to_peer_id: bin('leech-a'),
      offer_id: bin('o1'),
      answer: { type: 'answer', sdp: sdp('a1') },
    });
    const answer = await leecher.next();
    assert.deepEqual(answer, {
      action: 'announce',
      answer: { type: 'answer', sdp: sdp('a1') },
      offer_id: bin('o1'),
      peer_id: bin('seed-b'),
      info_hash: h,
    });
    assert.deepEqual(await a.service.stats(Buffer.from(h, 'latin1')), {
      seeders: 1,
      leechers: 1,
      completed: 0,
    });
    await seeder.close();
    await leecher.close();
  });

  test('a peer that stops or closes its socket leaves the shared swarm', async () => {
    const h = bin(8);
    const one = await wsClient(b.wsUrl!);
    one.send(announce(h, bin('one'), { left: 0 }));
    await one.next();
    const two = await wsClient(a.wsUrl!);
    two.send(announce(h, bin('two'), { left: 5 }));
    assert.equal((await two.next()).complete, 1);
    one.send(announce(h, bin('one'), { left: 0, event: 'stopped' }));
    assert.equal((await one.next()).complete, 0);
    await two.close();
    const hash = Buffer.from(h, 'latin1');
    for (let i = 0; i < 50 && (await b.service.stats(hash)).leechers > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await b.service.stats(hash), { seeders: 0, leechers: 0, completed: 0 });
    await one.close();
  });

  test("an answer to a peer no node holds is refused, and offers never reach the sender's own id", async () => {
    const h = bin(9);
    const alone = await wsClient(a.wsUrl!);
    alone.send(announce(h, bin('alone'), { offers: [[bin('o2'), sdp('o2')]] }));
    await alone.next();
    assert.ok(await alone.quiet(150), 'nobody else: no offer relayed, not even back to itself');
    alone.send({
      action: 'announce',
      info_hash: h,
      peer_id: bin('alone'),
      to_peer_id: bin('nobody'),
      offer_id: bin('o2'),
      answer: { type: 'answer', sdp: sdp('x') },
    });
    assert.equal((await alone.next())['failure reason'], 'tracker: no peer with that to_peer_id');
    await alone.close();
  });

  test("a browser on B reaches the site's WebRTC peer of A, which seeds the torrent", async () => {
    const h = bin(11);
    const asked: string[] = [];
    a.service.wsLocalPeer = {
      peerId: Buffer.from(bin('site-peer-a'), 'latin1'),
      serves: (infoHash) => infoHash.equals(Buffer.from(h, 'latin1')),
      answer: async (offer) => {
        asked.push(offer.offerId.toString('latin1'));
        return sdp('site-answer');
      },
    };
    try {
      const viewer = await wsClient(b.wsUrl!);
      viewer.send(
        announce(h, bin('viewer'), {
          offers: [
            [bin('o3'), sdp('o3')],
            [bin('o4'), sdp('o4')],
          ],
        }),
      );
      assert.equal((await viewer.next()).action, 'announce');
      assert.deepEqual(await viewer.next(5_000), {
        action: 'announce',
        answer: { type: 'answer', sdp: sdp('site-answer') },
        offer_id: bin('o3'),
        peer_id: bin('site-peer-a'),
        info_hash: h,
      });
      assert.deepEqual(asked, [bin('o3')]);
      await viewer.close();
    } finally {
      a.service.wsLocalPeer = undefined;
    }
  });

  test('without Redis, an announce gets the failure reason of an unavailable tracker (last: stops Redis)', async () => {
    const c = await wsClient(a.wsUrl!);
    await redis.stop();
    c.send(announce(bin(10), bin('late'), { left: 0 }));
    const res = await c.next(10_000);
    assert.equal(res['failure reason'], 'tracker: swarm store unavailable');
    await c.close();
  });
});
