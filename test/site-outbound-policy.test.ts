/**
 * End to end, the site's outbound policy and proxy trust, through a real `startServer`:
 * - SSRF through torrent-only publishing: a torrent whose trackers (HTTP, UDP) and web seed are
 *   loopback listeners is published with the default policy; the site archives it from the publisher
 *   (who announced to the site's own tracker, from loopback) and seeds it, and the listeners receive
 *   nothing; nor does a peer's ut_pex naming the listener, nor a damaged blob after a restart (the
 *   seeding session then misses pieces and would try the publisher's web seed);
 * - with private addresses allowed, the seeding session announces `started` to the publisher's
 *   tracker once (every tier used to be listed twice, and `completed` sent for content complete
 *   at start);
 * - `trustProxy`: the tracker records the `X-Forwarded-For` address only when the proxy is trusted.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, isBytes, isDict } from '../src/bencode/index.js';
import { SiteLinks } from '../src/catalog/index.js';
import { Engine } from '../src/engine/index.js';
import { isOwnUrl, startServer } from '../src/server.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { PeerConnection } from '../src/wire/index.js';
import { freePort, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
type Json = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(url: string, init: RequestInit = {}): Promise<Json> {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function publishTorrent(base: string, torrent: Buffer): Promise<Json> {
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await call(`${base}/api/v1/users`, json({ username: 'publisher', password: 'correct horse' }));
  const { token } = await call(
    `${base}/api/v1/tokens`,
    json({ username: 'publisher', password: 'correct horse' }),
  );
  const form = new FormData();
  form.append('title', 'Hostile trackers');
  form.append('license', 'CC0-1.0');
  form.append('torrent', new Blob([torrent], { type: 'application/x-bittorrent' }), 'x.torrent');
  return call(`${base}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

async function waitArchived(base: string, id: number, ms = 90_000): Promise<Json> {
  const deadline = Date.now() + ms;
  let last: Json;
  while (Date.now() < deadline) {
    last = await call(`${base}/api/v1/items/${id}`);
    if (last.archived) return last;
    await sleep(250);
  }
  throw new Error(`not archived: ${JSON.stringify(last)}`);
}

/** Content, a torrent naming `announce`/`urlList`, and a publisher seeding it through the site's tracker only. */
async function publishAndSeed(
  t: TestContext,
  site: { url: string },
  dir: string,
  options: { announce: string[][]; urlList?: string[] },
) {
  const content = randomBytes(300_000);
  mkdirSync(join(dir, 'seed'));
  writeFileSync(join(dir, 'seed', 'clip.webm'), content);
  const created = await createTorrent(join(dir, 'seed', 'clip.webm'), {
    version: 'v1',
    pieceLength: 65536,
    announce: options.announce,
    ...(options.urlList ? { urlList: options.urlList } : {}),
  });
  const item = await publishTorrent(site.url, created.torrent);
  // The publisher's peer announces to the site's tracker only (not to the listeners).
  const meta = parseTorrent(created.torrent);
  const publisher = new Engine({ host: '127.0.0.1' });
  await publisher.listen(0);
  t.after(() => publisher.close());
  await publisher.add(
    { meta: { ...meta, announce: [], urlList: [] } },
    { path: join(dir, 'seed'), readOnly: true, trackers: [[`${site.url}/announce`]] },
  );
  const archived = await waitArchived(site.url, item.id);
  const res = await fetch(archived.files[0].url);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(content), 'archived byte for byte');
  return { archived, meta, publisher };
}

/** Connect to the site's peer as a peer of `infoHash` and send one ut_pex naming 127.0.0.1:`named`. */
async function sendPex(t: TestContext, port: number, infoHash: string, named: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  const conn = new PeerConnection(socket, {
    peerId: Buffer.from('-XX0001-pexpexpexpex'),
    infoHash: Buffer.from(infoHash, 'hex'),
  });
  conn.on('close', () => undefined);
  conn.once('handshake', () => conn.sendExtendedHandshake({}));
  conn.start();
  for (let i = 0; i < 100 && !conn.supportsExtension('ut_pex'); i++) await sleep(50);
  assert.ok(conn.supportsExtension('ut_pex'), "the site's peer offers ut_pex");
  conn.sendPex({ added: [{ host: '127.0.0.1', port: named, flags: 0x02 }] });
}

test('a torrent naming loopback trackers and a web seed makes the site contact none of them', {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir(t);
  const http = { hits: 0 };
  const listener = createServer((_req, res) => {
    http.hits++;
    res.end();
  });
  listener.on('connection', () => http.hits++);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => listener.close(() => resolve())));
  const udp = createSocket('udp4');
  let datagrams = 0;
  udp.on('message', () => datagrams++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  t.after(() => udp.close());
  const port = (listener.address() as AddressInfo).port;

  const config = { host: '127.0.0.1', port: await freePort(), peerPort: 0, data: join(dir, 'data') };
  let site = await startServer(config);
  t.after(() => site.close());
  const { archived, meta, publisher } = await publishAndSeed(t, site, dir, {
    announce: [
      [`http://127.0.0.1:${port}/announce?admin=1`],
      [`udp://127.0.0.1:${udp.address().port}/announce`],
      [`http://localhost:${port}/x`],
    ],
    urlList: [`http://127.0.0.1:${port}/webseed/`],
  });
  // The seeding session announces `started` at once; leave time for a retry.
  await sleep(4000);
  assert.equal(http.hits, 0, 'nothing reached the loopback HTTP listener');
  assert.equal(datagrams, 0, 'nothing reached the loopback UDP listener');

  // An anonymous peer names the listener in a ut_pex (the seeding session connects out when told of peers).
  await sendPex(t, site.peerPort, meta.infoHash, port);
  await sleep(3000);
  assert.equal(http.hits, 0, 'a ut_pex made the site dial nothing');

  // A damaged blob after a restart: the seeding session misses pieces, but never asks the publisher's web seed.
  await site.close();
  await publisher.close();
  writeFileSync(join(config.data, 'blobs', 'files', String(archived.id), '0'), Buffer.alloc(300_000));
  site = await startServer(config);
  await sleep(6000);
  assert.equal(http.hits, 0, "the publisher's loopback web seed was not fetched");
  assert.equal(datagrams, 0);
});

test("with private addresses allowed, the seeding session announces to the publisher's tracker once", {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir(t);
  const announces: string[] = [];
  const tracker = createServer((req, res) => {
    announces.push(req.url ?? '');
    res.end('d8:intervali1800e5:peers0:e');
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => tracker.close(() => resolve())));
  const site = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: 0,
    data: join(dir, 'data'),
    allowPrivateUrls: true,
  });
  t.after(() => site.close());
  await publishAndSeed(t, site, dir, {
    announce: [[`http://127.0.0.1:${(tracker.address() as AddressInfo).port}/announce`]],
  });
  // Archiving announced to the publisher's tracker too (issue 16): started, completed, stopped; what
  // follows its `stopped` is the seeding session's.
  const fromArchiver = () => {
    const all = announces.filter((u) => u.includes(`port=${site.peerPort}&`));
    const stopped = all.findIndex((u) => /event=stopped/.test(u));
    return stopped < 0 ? all : all.slice(0, stopped + 1);
  };
  const fromSite = () => {
    const all = announces.filter((u) => u.includes(`port=${site.peerPort}&`));
    const stopped = all.findIndex((u) => /event=stopped/.test(u));
    return stopped < 0 ? [] : all.slice(stopped + 1);
  };
  for (let i = 0; i < 40 && fromSite().length === 0; i++) await sleep(100);
  assert.match(
    fromArchiver()[0] ?? '',
    /left=300000&.*event=started/,
    "archiving announced to the publisher's tracker",
  );
  await sleep(2000);
  // One `started` (not one per duplicated tier, and no `completed` for content complete at start).
  assert.equal(fromSite().length, 1, `announces from the site's peer: ${fromSite().join('\n')}`);
  assert.match(fromSite()[0]!, /event=started/);
});

/** Announce for `hash` from `peerId`, with an optional X-Forwarded-For; resolves with the compact peers. */
async function announce(base: string, hash: Buffer, peerId: string, port: number, xff?: string) {
  const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  const res = await fetch(
    `${base}/announce?info_hash=${enc(hash)}&peer_id=${enc(Buffer.from(peerId.padEnd(20, 'x')))}&port=${port}&left=1&compact=1`,
    xff ? { headers: { 'x-forwarded-for': xff } } : {},
  );
  const body = decode(new Uint8Array(await res.arrayBuffer()));
  assert.ok(isDict(body));
  const peers = body.get('peers');
  assert.ok(isBytes(peers), JSON.stringify([...body.keys()]));
  const out: string[] = [];
  for (let i = 0; i + 6 <= peers.length; i += 6)
    out.push(`${[...peers.subarray(i, i + 4)].join('.')}:${(peers[i + 4]! << 8) | peers[i + 5]!}`);
  return out;
}

for (const trustProxy of [undefined, ['127.0.0.1']]) {
  test(`the tracker ${trustProxy ? 'takes the peer address from a trusted proxy' : 'ignores X-Forwarded-For without --trust-proxy'}`, async (t) => {
    const dir = tempDir(t);
    const site = await startServer({
      host: '127.0.0.1',
      port: await freePort(),
      data: join(dir, 'data'),
      archive: false,
      ...(trustProxy ? { trustProxy } : {}),
    });
    t.after(() => site.close());
    const hash = randomBytes(20);
    site.site.seeding.track(hash.toString('hex'));
    await announce(site.url, hash, '-AA-', 6881, '203.0.113.7');
    const peers = await announce(site.url, hash, '-BB-', 6882);
    assert.deepEqual(peers, [trustProxy ? '203.0.113.7:6881' : '127.0.0.1:6881']);
  });
}

test("only the site's own announce URL and web seed paths are trusted", () => {
  const links = new SiteLinks('https://media.example.org/base');
  assert.equal(isOwnUrl(links, 'https://media.example.org/base/announce'), true);
  assert.equal(isOwnUrl(links, 'https://media.example.org/base/items/7/files/'), true);
  for (const url of [
    'https://media.example.org/base/items/../admin',
    'https://media.example.org/base/announce?x=1',
    'https://media.example.org.evil.test/base/items/1/',
    'http://media.example.org/base/items/1/',
    'udp://media.example.org:443/announce',
    'not a url',
  ])
    assert.equal(isOwnUrl(links, url), false, url);
});
