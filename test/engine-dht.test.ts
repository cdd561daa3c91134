/**
 * The engine's DHT hook, in process over real sockets: a session finds its peers through the DHT
 * and announces there (a hybrid torrent under its v1 and its truncated v2 hash, with our TCP port),
 * and a private torrent never touches the DHT (BEP 27). The DHT node the engine bootstraps from is
 * a raw KRPC speaker of the test's, which records every query and names the seeding engine as the
 * only peer; the seeder itself has no DHT, tracker or web seed.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { Engine } from '../src/engine/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { tempDir } from './helpers/tools.js';

interface Seen {
  q: string;
  infoHash: string;
  port: number | undefined;
}

test('a session finds its peers in the DHT and announces there; a private torrent stays out', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(1_500_000);
  writeFileSync(join(dir, 'seed', 'show.ogg'), data);
  writeFileSync(join(dir, 'seed', 'secret.ogg'), randomBytes(100_000));
  const show = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'hybrid', pieceLength: 32768 })).torrent,
  );
  const secret = parseTorrent(
    (
      await createTorrent(join(dir, 'seed', 'secret.ogg'), {
        version: 'v1',
        pieceLength: 32768,
        private: true,
      })
    ).torrent,
  );
  const seeder = new Engine();
  const seederPort = await seeder.listen(0);
  t.after(() => seeder.close());
  await seeder.add({ meta: show }, { path: join(dir, 'seed'), readOnly: true });

  // The DHT node: answers everything, and names the seeder as a peer for any info hash.
  const seen: Seen[] = [];
  const node = await krpcNode(t, seen, seederPort);
  const engine = new Engine({ dht: { bootstrap: [`127.0.0.1:${node.address().port}`] } });
  const port = await engine.listen(0);
  t.after(() => engine.close());
  assert.equal(engine.dht?.port, port, 'the DHT on the UDP port of the TCP port number');
  const got = await engine.add({ meta: show }, { path: join(dir, 'out') });
  await engine.add({ meta: secret }, { path: join(dir, 'seed'), readOnly: true });
  await new Promise<void>((resolve) => got.once('complete', () => resolve()));
  assert.ok(
    readFileSync(join(dir, 'out', 'show.ogg')).equals(data),
    'downloaded from the peer the DHT named',
  );

  const deadline = Date.now() + 20_000;
  const announced = (hash: string) =>
    seen.some((s) => s.q === 'announce_peer' && s.infoHash === hash && s.port === port);
  const v2 = show.infoHashV2!.slice(0, 40);
  while (Date.now() < deadline && !(announced(show.infoHash) && announced(v2)))
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(announced(show.infoHash), 'announce_peer for the v1 hash, with our TCP port');
  assert.ok(announced(v2), 'and for the truncated v2 hash (BEP 52)');
  assert.ok(seen.some((s) => s.q === 'get_peers' && s.infoHash === show.infoHash));
  assert.equal(
    seen.filter((s) => s.infoHash === secret.infoHash).length,
    0,
    'nothing about the private torrent (BEP 27)',
  );
});

test("peers that both run a DHT exchange their DHT ports (BEP 5 PORT) and add each other's node", {
  timeout: 30_000,
}, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'seed'));
  writeFileSync(join(dir, 'seed', 'show.ogg'), randomBytes(300_000));
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'v1', pieceLength: 32768 })).torrent,
  );
  const seeder = new Engine({ dht: { bootstrap: [] } });
  const seederPort = await seeder.listen(0);
  t.after(() => seeder.close());
  await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
  const leecher = new Engine({ dht: { bootstrap: [] } });
  await leecher.listen(0);
  t.after(() => leecher.close());
  const got = await leecher.add(
    { meta },
    { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seederPort }] },
  );
  await new Promise<void>((resolve) => got.once('complete', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (seeder.dht!.nodeCount === 0 || leecher.dht!.nodeCount === 0))
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(leecher.dht!.nodes(), [{ host: '127.0.0.1', port: seeder.dht!.port }]);
  assert.deepEqual(seeder.dht!.nodes(), [{ host: '127.0.0.1', port: leecher.dht!.port }]);
});

/** A raw KRPC node of the test's: records every query, answers all, names `peerPort` for any hash. */
async function krpcNode(t: TestContext, seen: Seen[], peerPort: number) {
  const node = createSocket('udp4');
  await new Promise<void>((resolve) => node.bind(0, '127.0.0.1', () => resolve()));
  t.after(() => node.close());
  const id = randomBytes(20);
  node.on('message', (buf, from) => {
    const m = decode(buf);
    if (!isDict(m)) return;
    const a = m.get('a');
    const q = Buffer.from(m.get('q') as Uint8Array).toString();
    const hash = isDict(a) ? a.get('info_hash') : undefined;
    if (hash instanceof Uint8Array)
      seen.push({
        q,
        infoHash: Buffer.from(hash).toString('hex'),
        port: isDict(a) ? (a.get('port') as number) : 0,
      });
    const values = [Buffer.from([127, 0, 0, 1, peerPort >> 8, peerPort & 255])];
    const r = q === 'get_peers' ? { id, nodes: '', token: 'tk', values } : { id, nodes: '' };
    node.send(encode({ t: m.get('t') as Uint8Array, y: 'r', r }), from.port, from.address);
  });
  return node;
}

test('a seed asleep with an empty routing table announces as soon as the table gets its first node', {
  timeout: 30_000,
}, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'seed'));
  writeFileSync(join(dir, 'seed', 'show.ogg'), randomBytes(200_000));
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'v1', pieceLength: 32768 })).torrent,
  );
  const seeder = new Engine({ dht: { bootstrap: [] } });
  const port = await seeder.listen(0);
  t.after(() => seeder.close());
  const session = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
  // Its first DHT announce (to nobody) is done within its first ticks; then it sleeps for 15 minutes.
  await new Promise((r) => setTimeout(r, 3500));
  assert.ok(
    seeder.scheduler.isSleeping(session.scheduled),
    'the idle seed sleeps (next DHT announce: 15 min)',
  );
  const seen: Seen[] = [];
  const node = await krpcNode(t, seen, 1);
  seeder.dht!.addNode({ host: '127.0.0.1', port: node.address().port });
  const deadline = Date.now() + 10_000;
  const announced = () =>
    seen.some((s) => s.q === 'announce_peer' && s.infoHash === meta.infoHash && s.port === port);
  while (Date.now() < deadline && !announced()) await new Promise((r) => setTimeout(r, 50));
  assert.ok(announced(), 'announce_peer sent once the first node answered');
});
