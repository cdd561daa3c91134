/**
 * The site's peer in the DHT (BEP 5): a torrent-only item whose publisher announces nowhere but in
 * the DHT is archived by `seedcast serve` (the site looks the hash up there); the publisher is
 * libtorrent with its DHT on and a torrent without trackers, and the site's bootstrap node is
 * libtorrent's, so no public router is contacted. And the outbound policy applies to peers the DHT
 * names: a DHT node of the test's names a loopback "peer" (a TCP listener counting connections),
 * which the site dials only with `--allow-private-urls`.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, encode } from '../src/bencode/index.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, run, start, startCli, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const PIECE = 64 * 1024;
const CONTENT = Buffer.from(new Uint8Array(40 * PIECE + 777).map((_, i) => (i * 2654435761) >>> 24));

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
type Json = any;

async function call(base: string, path: string, init: RequestInit = {}): Promise<Json> {
  const res = await fetch(`${base}${path}`, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A site whose DHT bootstraps from `dhtNode`, an account, and the torrent registered torrent-only. */
async function publishTorrentOnly(t: TestContext, dir: string, dhtNode: string, extra: string[]) {
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
    '--dht-bootstrap',
    dhtNode,
    ...extra,
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  await call(base!, '/api/v1/users', json({ username: 'publisher', password: 'correct horse' }));
  const { token } = await call(
    base!,
    '/api/v1/tokens',
    json({ username: 'publisher', password: 'correct horse' }),
  );
  const form = new FormData();
  form.append('title', 'Only in the DHT');
  form.append('license', 'CC0-1.0');
  form.append('torrent', new Blob([readFileSync(join(dir, 'made.torrent'))]), 'made.torrent');
  const item = await call(base!, '/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { base: base!, item, server };
}

/** libtorrent seeding a tracker-less v1 torrent with its DHT on; resolves with its DHT node. */
async function dhtPublisher(t: TestContext, dir: string): Promise<string> {
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'talk.mp4'), CONTENT);
  run(LIBTORRENT_PYTHON, [
    LT_TOOL,
    'create',
    join(src, 'talk.mp4'),
    join(dir, 'made.torrent'),
    'v1',
    String(PIECE),
  ]);
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'dht-seed', join(dir, 'made.torrent'), src]);
  const [, port] = await seeder.waitFor(/"port": (\d+)/, 60_000);
  return `127.0.0.1:${port}`;
}

test('the site archives a torrent-only item whose publisher is only in the DHT', {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-dht-archive-');
  const node = await dhtPublisher(t, dir);
  const { base, item, server } = await publishTorrentOnly(t, dir, node, ['--allow-private-urls']);
  const deadline = Date.now() + 120_000;
  let last: Json;
  while (Date.now() < deadline) {
    last = await call(base, `/api/v1/items/${item.id}`);
    if (last.archived) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(last.archived, `archived: ${JSON.stringify(last)}`);
  const bytes = Buffer.from(await (await fetch(last.files[0].url)).arrayBuffer());
  assert.ok(bytes.equals(CONTENT), 'byte-exact');
  // The site keeps its routing table (libtorrent's node) for its next start.
  assert.equal(await server.stop(), 0);
  const state = JSON.parse(readFileSync(join(dir, 'data', 'dht.json'), 'utf8'));
  assert.ok(JSON.stringify(state.nodes).includes(`"port":${node.split(':')[1]}`), JSON.stringify(state));
});

/** A DHT node of the test's own that names `peer` as a peer for any info hash it is asked about. */
async function namingNode(t: TestContext, peer: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  t.after(() => socket.close());
  const id = randomBytes(20);
  socket.on('message', (buf, from) => {
    const m = decode(buf) as Map<string, Uint8Array>;
    const values = [Buffer.from([127, 0, 0, 1, peer >> 8, peer & 255])];
    socket.send(
      encode({ t: m.get('t')!, y: 'r', r: { id, nodes: '', token: 'tk', values } }),
      from.port,
      from.address,
    );
  });
  return socket.address().port;
}

/** A TCP listener that counts the connections it gets. */
async function trap(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => server.close());
  return { port: (server.address() as AddressInfo).port, connections: () => n };
}

test('the outbound policy keeps the site from dialling a loopback peer the DHT names', {
  timeout: 120_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  for (const allowPrivate of [false, true]) {
    const dir = tempDir(t, 'seedcast-dht-policy-');
    run(LIBTORRENT_PYTHON, [LT_TOOL, 'create', LT_TOOL, join(dir, 'made.torrent'), 'v1', String(PIECE)]);
    const peer = await trap(t);
    const node = `127.0.0.1:${await namingNode(t, peer.port)}`;
    const extra = allowPrivate ? ['--allow-private-urls'] : [];
    const { server } = await publishTorrentOnly(t, dir, node, extra);
    // The site looks the torrent-only item up in the DHT at once; the named node answers with the trap.
    const deadline = Date.now() + (allowPrivate ? 30_000 : 8000);
    while (Date.now() < deadline && peer.connections() === 0) await new Promise((r) => setTimeout(r, 100));
    if (allowPrivate) assert.ok(peer.connections() > 0, 'with --allow-private-urls the site dials it');
    else assert.equal(peer.connections(), 0, 'refused by the outbound policy');
    await server.stop();
  }
});
