/**
 * Two site nodes (issue 22) and the WebSocket tracker (the WebTorrent tracker protocol): two
 * `seedcast serve` processes (the built CLI) on one PostgreSQL, one S3 store (s3rver) and one
 * redis-server. An item is published on A; a browser-like client (the `ws` package speaking the
 * tracker protocol, no WebRTC) joins its swarm through B, another announces with offers through A:
 * the client on B gets an offer, its answer reaches the client on A, and both nodes count both
 * peers (one swarm in Redis). When the client on B leaves, A's counts drop it. A UDP tracker client
 * (BEP 15) connects on A and announces on B (one connection-id secret). Skips loudly without
 * PostgreSQL or redis-server; fails under CI=true.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTorrent } from '../src/torrent/index.js';
import { call, startClusterBackends } from './helpers/cluster.js';
import { postgresAvailable } from './helpers/postgres.js';
import { redisAvailable } from './helpers/redis.js';
import { start, tempDir } from './helpers/tools.js';
import { announce, bin, sdp, wsClient } from './helpers/ws-client.js';

const BIN = new URL('../bin/seedcast.js', import.meta.url).pathname;

test('two serve nodes: WebSocket peers on A and on B meet in one swarm', { timeout: 120_000 }, async (t) => {
  const what = 'two site nodes, WebSocket tracker';
  if (!postgresAvailable(what) || !redisAvailable(what)) return;
  const dir = tempDir(t, 'seedcast-two-nodes-ws-');
  const { env, portA, portB, peerA, peerB } = await startClusterBackends(t);
  const publicUrl = `http://127.0.0.1:${portB}`;
  const serve = async (name: string, port: number, peerPort: number) => {
    const args = [
      'serve',
      '--port',
      String(port),
      '--peer-port',
      String(peerPort),
      '--data',
      join(dir, name),
    ];
    // No WebRTC peer of the site: every offer goes to the other client.
    const flags = ['--node-id', `node-${name}`, '--public-url', publicUrl, '--no-dht', '--no-webrtc'];
    const proc = start(t, process.execPath, [BIN, ...args, ...flags, '--allow-private-urls'], { env });
    const [, url] = await proc.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    return { proc, url: url! };
  };
  const a = await serve('a', portA, peerA);
  const b = await serve('b', portB, peerB);
  t.after(() => {
    if (process.env.SEEDCAST_TEST_VERBOSE)
      process.stderr.write(`A:\n${a.proc.output()}\nB:\n${b.proc.output()}\n`);
  });

  await call(a.url, '/api/v1/users', { json: { username: 'keeper', password: 'a long passphrase' } });
  const { token } = await call(a.url, '/api/v1/tokens', {
    json: { username: 'keeper', password: 'a long passphrase' },
  });
  const form = new FormData();
  form.append('title', 'Tide tables read aloud');
  form.append('license', 'CC-BY-4.0');
  form.append('file', new Blob([randomBytes(300_000)]), 'tides.flac');
  const item = await call(a.url, '/api/v1/items', {
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const torrent = await fetch(`${b.url}/items/${item.id}.torrent`);
  assert.equal(torrent.status, 200);
  const h = Buffer.from(parseTorrent(Buffer.from(await torrent.arrayBuffer())).infoHash, 'hex').toString(
    'latin1',
  );
  const wsUrl = (base: string) => `${base.replace('http', 'ws')}/announce`;

  // A viewer on B joins the swarm (B's tracker looks the new item up in the shared catalog).
  const onB = await wsClient(wsUrl(b.url));
  t.after(() => onB.close());
  onB.send(announce(h, bin('viewer-on-b'), { left: 1000 }));
  const joined = await onB.next(10_000);
  assert.equal(joined.action, 'announce');
  assert.equal(joined['failure reason'], undefined, JSON.stringify(joined));
  // A viewer on A announces with offers: the one on B gets one of them.
  const onA = await wsClient(wsUrl(a.url));
  t.after(() => onA.close());
  onA.send(
    announce(h, bin('viewer-on-a'), {
      offers: [
        [bin('offer-1'), sdp('offer-1')],
        [bin('offer-2'), sdp('offer-2')],
      ],
    }),
  );
  const counted = await onA.next(10_000);
  assert.equal(counted['failure reason'], undefined, JSON.stringify(counted));
  assert.ok(Number(counted.incomplete) >= 2, `A counts both viewers: ${JSON.stringify(counted)}`);
  const offer = await onB.next(10_000);
  assert.equal(offer.peer_id, bin('viewer-on-a'), 'the offer came from the viewer on A');
  assert.ok(offer.offer_id === bin('offer-1') || offer.offer_id === bin('offer-2'));
  // B's viewer answers: the answer reaches A's viewer through A's channel.
  onB.send({
    action: 'announce',
    info_hash: h,
    peer_id: bin('viewer-on-b'),
    to_peer_id: bin('viewer-on-a'),
    offer_id: offer.offer_id,
    answer: { type: 'answer', sdp: sdp('answer') },
  });
  const answer = await onA.next(10_000);
  assert.deepEqual(answer, {
    action: 'announce',
    answer: { type: 'answer', sdp: sdp('answer') },
    offer_id: offer.offer_id,
    peer_id: bin('viewer-on-b'),
    info_hash: h,
  });

  // One swarm: both nodes' scrapes count both viewers; B's viewer leaves and both count one.
  assert.equal(await scrapeLeechers(a.url, h), 2, 'A counts both viewers');
  assert.equal(await scrapeLeechers(b.url, h), 2, 'B counts both viewers');
  await onB.close();
  for (let i = 0; i < 100 && (await scrapeLeechers(a.url, h)) >= 2; i++) await sleep(50);
  assert.equal(await scrapeLeechers(a.url, h), 1, "B's viewer left: A counts only its own");
  assert.equal(await scrapeLeechers(b.url, h), 1, 'and so does B');

  // BEP 15: one connection-id secret for the site, so a client connects on A and announces on B.
  const udp = udpClient(); // one socket: an id is bound to the client's address and port
  t.after(() => udp.close());
  const id = await udp.ask(portA, connectPacket());
  assert.equal(id.readUInt32BE(0), 0, 'connect answered');
  const announced = await udp.ask(portB, announcePacket(id.subarray(8, 16), Buffer.from(h, 'latin1')));
  assert.equal(announced.readUInt32BE(0), 1, `B accepts A's id: ${announced.subarray(8).toString()}`);
});

function connectPacket(): Buffer {
  const p = Buffer.alloc(16);
  p.writeBigUInt64BE(0x41727101980n, 0);
  p.writeUInt32BE(0, 8);
  p.writeUInt32BE(7, 12);
  return p;
}

function announcePacket(connectionId: Buffer, infoHash: Buffer): Buffer {
  const p = Buffer.alloc(98);
  connectionId.copy(p, 0);
  p.writeUInt32BE(1, 8);
  p.writeUInt32BE(8, 12);
  infoHash.copy(p, 16);
  Buffer.from('-XX0000-udp-client-1').copy(p, 36);
  p.writeBigUInt64BE(1000n, 64); // left
  p.writeInt32BE(-1, 92); // numwant
  p.writeUInt16BE(6999, 96);
  return p;
}

/** A UDP socket that sends one request at a time to the tracker on 127.0.0.1:port and reads its answer. */
function udpClient(): { ask(port: number, packet: Buffer): Promise<Buffer>; close(): void } {
  const socket = createSocket('udp4');
  return {
    ask(port, packet) {
      const answer = new Promise<Buffer>((resolve, reject) => {
        socket.once('message', (m) => resolve(m));
        setTimeout(() => reject(new Error('no UDP answer')), 5_000).unref();
      });
      socket.send(packet, port, '127.0.0.1');
      return answer;
    },
    close: () => socket.close(),
  };
}
/** A WebSocket scrape's leechers for one hash. */
async function scrapeLeechers(base: string, h: string): Promise<number> {
  const c = await wsClient(`${base.replace('http', 'ws')}/announce`);
  try {
    c.send({ action: 'scrape', info_hash: h });
    const res = (await c.next(5_000)) as { files?: Record<string, { incomplete: number }> };
    return res.files?.[h]?.incomplete ?? Number.NaN;
  } finally {
    await c.close();
  }
}
