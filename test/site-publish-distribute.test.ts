/**
 * End to end: `seedcast serve` on free ports with a fresh data folder; an account, a token and a
 * multipart upload through the API; then real clients fetch the item from the site alone:
 * - libtorrent with the site's `.torrent` (tracker = the site, web seed = the site, the site's peer);
 * - libtorrent with the same torrent stripped of its tracker and given no peer: BEP 19 web seed only;
 * - aria2c with the site's `.torrent` (v1 by default since issue 16, so aria2 1.36 joins the swarm;
 *   the site's peer and its web seed share the bytes; magnets: test/site-every-client-magnet.test.ts).
 * Every copy must be byte-exact, and the item's swarm numbers must show what the site served.
 * Skips loudly without libtorrent or aria2c (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { aria2Download, copiesOf } from './helpers/aria2.js';
import { siteApi } from './helpers/site-api.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, run, startCli, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
/** 3 MiB that compress badly, named like a video. */
const VIDEO = Buffer.from(new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24));

/** Every regular file under `dir` whose bytes equal `expected` (padding and partial files don't). */
async function startSite(t: TestContext) {
  const dir = tempDir(t, 'seedcast-e2e-');
  const port = await freePort();
  const peerPort = await freePort();
  const server = startCli(t, [
    'serve',
    '--port',
    String(port),
    '--peer-port',
    String(peerPort),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const { api, account } = siteApi(base ?? '');
  const token = await account('publisher', 'correct horse');
  const form = new FormData();
  form.append('title', 'Test pattern');
  form.append('description', 'Three mebibytes of test pattern.');
  form.append('license', 'CC0-1.0');
  form.append('tags', 'test,pattern');
  form.append('file', new Blob([VIDEO], { type: 'video/mp4' }), 'pattern.mp4');
  const item = await api('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const torrent = Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer());
  const torrentPath = join(dir, 'item.torrent');
  writeFileSync(torrentPath, torrent);
  return { dir, base: base!, peerPort, item, torrent, torrentPath, api };
}

test('libtorrent downloads a published item from the site alone: peer + tracker, then web seed only', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const site = await startSite(t);
  assert.equal(site.item.files[0].length, VIDEO.length);

  // First the torrent without its web seed (the info hash is the same): with it, libtorrent may take
  // every piece from the fast local web seed before the super-seeding peer offers one.
  const withSeed = decode(site.torrent);
  assert.ok(isDict(withSeed));
  assert.ok(withSeed.has('url-list'), 'the published torrent names the site as a web seed');
  withSeed.delete('url-list');
  const peerOnly = join(site.dir, 'peer-only.torrent');
  writeFileSync(peerOnly, encode(withSeed));
  const viaPeer = join(site.dir, 'lt-peer');
  mkdirSync(viaPeer);
  const first = JSON.parse(
    run(LIBTORRENT_PYTHON, [LT_TOOL, 'download', peerOnly, viaPeer, `127.0.0.1:${site.peerPort}`]),
  );
  assert.equal(first.have, first.total, `libtorrent finished: ${JSON.stringify(first)}`);
  assert.equal(copiesOf(viaPeer, VIDEO).length, 1, 'a byte-exact copy');
  // The site's peer super-seeds (have none, then haves); libtorrent must keep it and take pieces.
  const afterPeer = await site.api(`/api/v1/items/${site.item.id}`);
  assert.ok(
    afterPeer.swarm.served.peer > 0,
    `the site's peer served libtorrent: ${JSON.stringify(afterPeer.swarm)}`,
  );

  // The same torrent without its tracker, and no peer given: only the BEP 19 web seed is left.
  const top = decode(site.torrent);
  assert.ok(isDict(top));
  top.delete('announce');
  top.delete('announce-list');
  const webOnly = join(site.dir, 'web-only.torrent');
  writeFileSync(webOnly, encode(top));
  const viaWeb = join(site.dir, 'lt-web');
  mkdirSync(viaWeb);
  const second = JSON.parse(run(LIBTORRENT_PYTHON, [LT_TOOL, 'download', webOnly, viaWeb]));
  assert.equal(second.have, second.total, `web seed download finished: ${JSON.stringify(second)}`);
  assert.equal(copiesOf(viaWeb, VIDEO).length, 1, 'a byte-exact copy from the web seed');

  const got = await site.api(`/api/v1/items/${site.item.id}`);
  assert.ok(got.swarm.served.webSeed >= VIDEO.length, `web seed served ${got.swarm.served.webSeed}`);
  assert.ok(got.swarm.served.total >= 2 * VIDEO.length - 1, `site served ${got.swarm.served.total}`);
  assert.ok(got.swarm.seeders >= 1, `the site's peer is a seeder: ${JSON.stringify(got.swarm)}`);
});

test('aria2c downloads a published item from its .torrent, from the site alone (its peer and web seed)', {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'aria2c')) return;
  const site = await startSite(t);
  const out = join(site.dir, 'aria2');
  await aria2Download(t, out, site.torrentPath);
  assert.equal(copiesOf(out, VIDEO).length, 1, 'aria2c wrote exactly the published bytes');
  const got = await site.api(`/api/v1/items/${site.item.id}`);
  // aria2c asks the web seed for the whole file and connects to the site's peer a moment later; the
  // web seed holds that first request until the connection exists and then leaves aria2c to the peer.
  const { peer, webSeed } = got.swarm.served;
  assert.ok(peer + webSeed >= VIDEO.length, `the site served ${peer} (peer) + ${webSeed} (web seed)`);
});
