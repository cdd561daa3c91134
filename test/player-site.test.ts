/**
 * The site's side of the P2P player, over real sockets with `startServer`: the item's description
 * (`GET /api/v1/items/:id/p2p`: v1 hash, piece hashes, files with offsets and URLs, the WebSocket
 * tracker, the site's STUN servers), the item page's hooks (`#player` with `data-p2p`, `preload="none"`, the stats line and
 * the player script), the player script and its service worker served with ETags (bundled on the
 * fly from source), and `/p2p-stream/...` redirected to the file when no service worker answers.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { freePort, tempDir } from './helpers/tools.js';

async function site(t: import('node:test').TestContext) {
  const dir = tempDir(t, 'seedcast-player-site-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: false, maxConnections: 200, stun: ['stun:stun.example.org:3478'] },
  });
  t.after(() => server.close());
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/v1/users', { username: 'ada', password: 'correct horse' });
  const { token } = (await (
    await post('/api/v1/tokens', { username: 'ada', password: 'correct horse' })
  ).json()) as {
    token: string;
  };
  const publish = async (name: string, bytes: Uint8Array) => {
    const form = new FormData();
    form.append('title', name);
    form.append('file', new Blob([bytes]), name);
    const res = await fetch(`${server.url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { id: number; infoHash: string };
  };
  return { server, publish };
}

test('the P2P description gives the piece hashes, files and WebSocket tracker of an item', async (t) => {
  const { server, publish } = await site(t);
  const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
  const item = await publish('clip.mp4', bytes);
  const res = await fetch(`${server.url}/api/v1/items/${item.id}/p2p`);
  assert.equal(res.status, 200);
  const d = (await res.json()) as {
    infoHash: string;
    pieceLength: number;
    length: number;
    pieces: string;
    files: { path: string; length: number; offset: number; url: string }[];
    trackers: string[];
    webSeed: string;
    iceServers: { urls: string[] }[];
  };
  assert.equal(d.infoHash, item.infoHash);
  assert.equal(d.length, bytes.length);
  const hashes = Buffer.from(d.pieces, 'base64');
  assert.equal(hashes.length, Math.ceil(bytes.length / d.pieceLength) * 20);
  const first = createHash('sha1').update(bytes.subarray(0, d.pieceLength)).digest();
  assert.deepEqual(hashes.subarray(0, 20), first);
  assert.equal(d.files.length, 1);
  assert.equal(d.files[0]!.offset, 0);
  assert.equal(d.files[0]!.length, bytes.length);
  assert.deepEqual(d.trackers, [`${server.url.replace(/^http/, 'ws')}/announce`]);
  assert.deepEqual(d.iceServers, [{ urls: ['stun:stun.example.org:3478'] }], 'the site’s SEEDCAST_STUN');
  const ranged = await fetch(d.files[0]!.url, {
    headers: { range: 'bytes=0-99', 'x-seedcast-player': 'p2p' },
  });
  assert.equal(ranged.status, 206);
  assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), bytes.subarray(0, 100));
  assert.ok(d.webSeed.endsWith(`/items/${item.id}/files/`));
  assert.equal((await fetch(`${server.url}/api/v1/items/999/p2p`)).status, 404);
  const explicit = (await (
    await fetch(`${server.url}/api/v1/items/${item.id}/p2p?torrent=original`)
  ).json()) as {
    infoHash: string;
  };
  assert.equal(explicit.infoHash, item.infoHash, '?torrent=original is the default');
  const derived = await fetch(`${server.url}/api/v1/items/${item.id}/p2p?torrent=derivatives`);
  assert.equal(derived.status, 404, 'no derivatives torrent: nothing to describe');
});

test('the item page hooks the P2P player to a video, and works without it', async (t) => {
  const { server, publish } = await site(t);
  const item = await publish('clip.mp4', new Uint8Array(50_000).fill(1));
  const html = await (await fetch(`${server.url}/items/${item.id}`)).text();
  const player = /<div class="player video" id="player"[^>]*>/.exec(html)?.[0] ?? '';
  assert.match(player, /data-p2p="on"/);
  assert.match(player, /data-file-index="0"/);
  assert.match(html, /<video[^>]*preload="none"/, 'nothing preloaded over HTTP while P2P may take over');
  assert.match(html, /<source src="\/items\/\d+\/files\/clip\.mp4"/, 'the plain HTTP source stays');
  assert.match(html, /<p id="p2p-stats"[^>]*aria-live="polite"[^>]*hidden/);
  const script = /<script type="module" src="(\/static\/player\.js[^"]*)"/.exec(html)?.[1];
  assert.ok(script, 'the player script is linked');
  const js = await fetch(`${server.url}${script}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  const etag = js.headers.get('etag')!;
  assert.ok((await js.text()).length > 1000);
  assert.equal((await fetch(`${server.url}${script}`, { headers: { 'if-none-match': etag } })).status, 304);
  const again = await (await fetch(`${server.url}/items/${item.id}`)).text();
  assert.match(again, /\/static\/player\.js\?v=[\w-]{12}"/, 'versioned once loaded');
  const sw = await fetch(`${server.url}/p2p-sw.js`);
  assert.equal(sw.status, 200);
  assert.equal(sw.headers.get('service-worker-allowed'), '/items/');
  assert.match(await sw.text(), /p2p-stream/);
  const stream = await fetch(`${server.url}/p2p-stream/${item.id}/0`, { redirect: 'manual' });
  assert.equal(stream.status, 302);
  assert.equal(stream.headers.get('location'), `/items/${item.id}/files/clip.mp4`);
  assert.equal((await fetch(`${server.url}/p2p-stream/${item.id}/5`, { redirect: 'manual' })).status, 404);
});
