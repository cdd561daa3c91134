/**
 * Items published before the site had UDP and WebSocket trackers keep their stored `.torrent` (only
 * the HTTP tracker), and the site serves it with its current trackers all the same (issue 17: the
 * torrents of every item list the ws tracker after HTTP and UDP), through `app.inject()` on the real
 * site services: `announce` is the HTTP tracker, `announce-list` one tier each for HTTP, UDP and
 * WebSocket, then a torrent-only item's publisher trackers; the info hash is the item's; `HEAD`,
 * `Content-Length`, `ETag` (and `If-None-Match`) and the feeds' torrent enclosure length all
 * describe the bytes served. The stored blob is not rewritten. libtorrent (Debian's python3-libtorrent)
 * reads the served torrent's tiers and computes the same v1 and v2 info hashes.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { readAll } from '../src/storage/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { requireTools, runLibtorrent } from './helpers/tools.js';
import { BASE, login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

const VIDEO = Buffer.alloc(100_000, 0).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
const HTTP = `${BASE}/announce`;
const UDP = 'udp://site.test:6881';
const WS = `${BASE.replace('http', 'ws')}/announce`;

async function publish(s: TestSite, auth: Record<string, string>, parts: Part[]) {
  const body = multipart(parts);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; infoHash: string; infoHashV2: string | null };
}

/** The stored torrent as the site wrote it before issue 17: `announce` and tiers as given, same info bytes. */
async function storeOldTorrent(s: TestSite, id: number, tiers: string[][]): Promise<Buffer> {
  const key = (await s.site.items.get(id))!.torrentKey!;
  const meta = parseTorrent(await readAll(await s.site.blobs.get(key)));
  const str = (text: string) => `${Buffer.byteLength(text)}:${text}`;
  const list = `l${tiers.map((t) => `l${t.map(str).join('')}e`).join('')}e`;
  const urls = meta.urlList.length > 0 ? `8:url-listl${meta.urlList.map(str).join('')}e` : '';
  const old = Buffer.concat([
    Buffer.from(`d8:announce${str(tiers[0]![0]!)}13:announce-list${list}4:info`),
    Buffer.from(meta.infoBytes),
    Buffer.from(`${urls}e`),
  ]);
  await s.site.blobs.put(key, old, { contentType: 'application/x-bittorrent' });
  return old;
}

test("an old item's .torrent is served with the site's HTTP, UDP and WebSocket trackers and its own info hash", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-old-torrents-'));
  const s = await openTestSite(await openDatabase({ sqlite: join(dir, 'db.sqlite') }), {
    torrentFormat: 'hybrid',
  });
  t.after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  s.site.links.setUdpPort(6881);
  const auth = await login(s.app);
  const item = await publish(s, auth, [
    { name: 'title', value: 'Old clip' },
    { name: 'file', filename: 'clip.mp4', value: VIDEO, type: 'video/mp4' },
  ]);
  const old = await storeOldTorrent(s, item.id, [[HTTP]]);
  assert.deepEqual(parseTorrent(old).announce, [[HTTP]]);

  const got = await s.app.inject({ url: `/items/${item.id}.torrent` });
  assert.equal(got.statusCode, 200);
  const served = parseTorrent(got.rawPayload);
  assert.equal(served.infoHash, item.infoHash);
  assert.equal(served.infoHashV2, item.infoHashV2);
  assert.deepEqual(served.announce, [[HTTP], [UDP], [WS]]);
  assert.match(got.rawPayload.toString('latin1'), new RegExp(`^d8:announce${HTTP.length}:${HTTP}`));
  assert.deepEqual(served.urlList, [`${BASE}/items/${item.id}/files/`]);
  assert.equal(Number(got.headers['content-length']), got.rawPayload.length);
  const etag = String(got.headers.etag);
  assert.match(etag, /^"[0-9a-f]{64}"$/);
  assert.equal(got.headers['content-security-policy'], 'sandbox');

  const head = await s.app.inject({ method: 'HEAD', url: `/items/${item.id}.torrent` });
  assert.equal(head.statusCode, 200);
  assert.equal(Number(head.headers['content-length']), got.rawPayload.length);
  assert.equal(head.headers.etag, etag);
  const again = await s.app.inject({ url: `/items/${item.id}.torrent`, headers: { 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);

  // The feed's torrent enclosure announces the length served, not the stored one.
  const rss = await s.app.inject({ url: '/feeds/items.rss?enclosure=torrent' });
  assert.equal(rss.statusCode, 200);
  assert.match(
    rss.body,
    new RegExp(`<enclosure url="${BASE}/items/${item.id}.torrent" length="${got.rawPayload.length}"`),
  );
  assert.notEqual(old.length, got.rawPayload.length);

  // libtorrent reads the tiers in order and the same info hashes.
  if (requireTools(t, 'libtorrent')) {
    const path = join(dir, 'served.torrent');
    writeFileSync(path, got.rawPayload);
    const lt = runLibtorrent<{ trackers: [string, number][]; v1: string; v2: string }>(
      `import json, sys, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
h = ti.info_hashes()
print(json.dumps({"trackers": [[t.url, t.tier] for t in ti.trackers()], "v1": str(h.v1), "v2": str(h.v2)}))`,
      [path],
    );
    assert.deepEqual(lt.trackers, [
      [HTTP, 0],
      [UDP, 1],
      [WS, 2],
    ]);
    assert.equal(lt.v1, item.infoHash);
    assert.equal(lt.v2, item.infoHashV2);
  }

  // Stored bytes untouched; a site whose trackers change serves the new list (and a new ETag).
  const key = (await s.site.items.get(item.id))!.torrentKey!;
  assert.ok((await readAll(await s.site.blobs.get(key))).equals(old));
  s.site.links.setUdpPort(7000);
  const moved = await s.app.inject({ url: `/items/${item.id}.torrent`, headers: { 'if-none-match': etag } });
  assert.equal(moved.statusCode, 200);
  assert.deepEqual(parseTorrent(moved.rawPayload).announce, [[HTTP], ['udp://site.test:7000'], [WS]]);
});

test("a torrent-only item's .torrent lists the site's trackers, then its publisher's", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-old-torrents-'));
  const s = await openTestSite(await openDatabase({ sqlite: join(dir, 'db.sqlite') }));
  t.after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  s.site.links.setUdpPort(6881);
  const folder = join(dir, 'show');
  mkdirSync(folder);
  writeFileSync(join(folder, 'episode.mp3'), VIDEO);
  const created = await createTorrent(folder, {
    version: 'v1',
    pieceLength: 32768,
    announce: ['http://elsewhere.example/announce'],
  });
  const auth = await login(s.app);
  const item = await publish(s, auth, [
    { name: 'title', value: 'A show' },
    { name: 'torrent', filename: 'show.torrent', value: created.torrent, type: 'application/x-bittorrent' },
  ]);
  await storeOldTorrent(s, item.id, [[HTTP], ['http://elsewhere.example/announce']]);
  const got = await s.app.inject({ url: `/items/${item.id}.torrent` });
  const served = parseTorrent(got.rawPayload);
  assert.equal(served.infoHash, created.infoHash);
  assert.deepEqual(served.announce, [[HTTP], [UDP], [WS], ['http://elsewhere.example/announce']]);
});
