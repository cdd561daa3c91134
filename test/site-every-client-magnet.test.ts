/**
 * Every client downloads from the site alone, by `.torrent` and by magnet (issue 16): a real
 * `seedcast serve` on free ports, one 4 MiB item published through the API, and then, with no
 * other peer, `seedcast download`, aria2c and libtorrent each fetch the site's default `.torrent`
 * and the magnet link the site gives out. Every copy must be byte-exact and the site's own
 * counters (`swarm.served`) must show at least one copy sent, and bytes from its super-seeding peer
 * for each download, not only the web seed. Before issue 16 the magnets stalled at 0%: the site's peer reveals pieces with
 * `have`s that a client without the metadata dropped, and never said them again.
 *
 * The magnet carries `tr=` (the site's trackers: HTTP, UDP, WebSocket), `ws=` (the web seed) and `xs=` (the `.torrent`).
 * With a `.torrent`, libtorrent and aria2 ask the web seed at once, before they meet the site's
 * peer; the web seed's deferral rule (`src/distribution/web-seed-deferral.ts`) lets the peer serve them. A
 * last test strips `ws=` from the magnet and `url-list` from the `.torrent`, so the site's peer is
 * the only source: each client must get the whole item from it (super-seeding must never starve a
 * lone downloader).
 * Skips loudly without aria2c or libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { aria2Download, copiesOf } from './helpers/aria2.js';
import { startSiteProc } from './helpers/site-proc.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, start, startCli } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
/** 4 MiB that compress badly, named like a video. */
const VIDEO = Buffer.from(new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24));

interface Served {
  peer: number;
  webSeed: number;
}

async function startSite(t: TestContext) {
  // The site on its default outbound policy: its own tracker's peers are reachable all the same.
  const site = await startSiteProc(t, { allowPrivateUrls: false });
  const { dir, base, api } = site;
  const { item, torrentPath } = await site.publish(
    'Test pattern',
    { 'pattern.mp4': VIDEO },
    { license: 'CC0-1.0' },
  );
  // The magnet as the item page gives it out (the API's is the same).
  const page = await (await fetch(item.url)).text();
  const href = /href="(magnet:[^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(href, 'the item page links a magnet');
  assert.equal(href, item.magnet, 'the page and the API give the same magnet');
  const served = async (): Promise<Served> => (await api(`/api/v1/items/${item.id}`)).swarm.served;
  /** Runs `download` and returns what the site's peer and web seed sent meanwhile. */
  const measure = async (download: () => Promise<void> | void): Promise<Served> => {
    const before = await served();
    await download();
    await new Promise((r) => setTimeout(r, 300)); // the last blocks' counters
    const after = await served();
    return { peer: after.peer - before.peer, webSeed: after.webSeed - before.webSeed };
  };
  return { dir, base, item, magnet: href, torrentPath, measure };
}

type Site = Awaited<ReturnType<typeof startSite>>;

function checkMagnet(site: Site): void {
  const params = new URLSearchParams(site.magnet.slice('magnet:?'.length));
  assert.equal(params.get('xt'), `urn:btih:${site.item.infoHash}`);
  assert.deepEqual(
    params.getAll('tr'),
    [
      `${site.base}/announce`,
      site.base.replace('http', 'udp'),
      `${site.base.replace('http', 'ws')}/announce`,
    ],
    "tr= the site's trackers: HTTP, UDP, WebSocket",
  );
  assert.deepEqual(params.getAll('ws'), [`${site.base}/items/${site.item.id}/files/`], 'ws= the web seed');
  assert.deepEqual(params.getAll('xs'), [site.item.torrentUrl], 'xs= the .torrent');
}

/** The site sent at least one copy; with `peer`, some of it from its peer (not only the web seed). */
function sent(what: string, got: Served, peer: boolean): void {
  assert.ok(got.peer + got.webSeed >= VIDEO.length, `${what}: the site sent ${JSON.stringify(got)}`);
  if (peer) assert.ok(got.peer > 0, `${what}: the site's peer sent nothing (${JSON.stringify(got)})`);
}

/** `seedcast download` (killed when the test ends, so a stall does not outlive it). */
async function seedcastDownload(t: TestContext, source: string, out: string): Promise<void> {
  const child = startCli(t, ['download', source, '-o', out, '--port', String(await freePort()), '-q']);
  const code = await child.exited;
  assert.equal(code, 0, `seedcast download failed:\n${child.output()}`);
  assert.equal(copiesOf(out, VIDEO).length, 1, `${t.name}: byte-exact`);
}

/** libtorrent (`lt_tool.py download_sources`), killed when the test ends. */
async function libtorrentDownload(t: TestContext, source: string, out: string) {
  mkdirSync(out, { recursive: true });
  const child = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'download_sources', source, out]);
  const code = await child.exited;
  assert.equal(code, 0, `lt_tool failed:\n${child.output()}`);
  const got = JSON.parse(child.output().trim().split('\n').pop()!);
  assert.equal(got.have, got.total, `libtorrent finished: ${JSON.stringify(got)}`);
  assert.equal(copiesOf(out, VIDEO).length, 1, 'libtorrent: byte-exact');
  return got as { from_peers: number; from_web_seeds: number };
}

test('seedcast download completes the .torrent and the magnet of a site item, from the site alone', {
  timeout: 150_000,
}, async (t) => {
  const site = await startSite(t);
  checkMagnet(site);
  const viaTorrent = await site.measure(() =>
    seedcastDownload(t, site.torrentPath, join(site.dir, 'torrent')),
  );
  sent('seedcast, .torrent', viaTorrent, true);
  const viaMagnet = await site.measure(() => seedcastDownload(t, site.magnet, join(site.dir, 'magnet')));
  sent('seedcast, magnet', viaMagnet, true);
  t.diagnostic(`site sent: .torrent ${JSON.stringify(viaTorrent)}, magnet ${JSON.stringify(viaMagnet)}`);
});

test('aria2c completes the .torrent and the magnet of a site item, from the site alone', {
  timeout: 150_000,
}, async (t) => {
  if (!requireTools(t, 'aria2c')) return;
  const site = await startSite(t);
  const viaTorrent = await site.measure(async () => {
    await aria2Download(t, join(site.dir, 'torrent'), site.torrentPath);
    assert.equal(copiesOf(join(site.dir, 'torrent'), VIDEO).length, 1, 'aria2c (.torrent): byte-exact');
  });
  // aria2 asks the web seed at once and meets the site's peer a second or two later; the web seed
  // holds an address's first requests a moment (i16-offload), so the peer gets to serve.
  sent('aria2c, .torrent', viaTorrent, true);
  const viaMagnet = await site.measure(async () => {
    await aria2Download(t, join(site.dir, 'magnet'), site.magnet, ['--bt-stop-timeout=60']);
    assert.equal(copiesOf(join(site.dir, 'magnet'), VIDEO).length, 1, 'aria2c (magnet): byte-exact');
  });
  sent('aria2c, magnet', viaMagnet, true);
  t.diagnostic(`site sent: .torrent ${JSON.stringify(viaTorrent)}, magnet ${JSON.stringify(viaMagnet)}`);
});

test('libtorrent completes the .torrent and the magnet of a site item, from the site alone', {
  timeout: 150_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const site = await startSite(t);
  let lt = { from_peers: 0, from_web_seeds: 0 };
  const viaTorrent = await site.measure(async () => {
    lt = await libtorrentDownload(t, site.torrentPath, join(site.dir, 'torrent'));
  });
  sent('libtorrent, .torrent', viaTorrent, true);
  const viaMagnet = await site.measure(async () => {
    lt = await libtorrentDownload(t, site.magnet, join(site.dir, 'magnet'));
  });
  sent('libtorrent, magnet', viaMagnet, true);
  assert.ok(lt.from_peers > 0, `libtorrent counted bytes from the site's peer: ${JSON.stringify(lt)}`);
  t.diagnostic(`site sent: .torrent ${JSON.stringify(viaTorrent)}, magnet ${JSON.stringify(viaMagnet)}`);
});

test("without the web seed, the site's super-seeding peer alone gives every client the whole item", {
  timeout: 170_000,
}, async (t) => {
  if (!requireTools(t, 'aria2c', 'libtorrent')) return;
  const site = await startSite(t);
  // The magnet without ws= and without xs= (the .torrent it names carries url-list: a client that
  // fetches it, as ours does, would learn the web seed from it), and the .torrent without url-list:
  // only the site's peer is left.
  const magnet = site.magnet.replace(/&(?:ws|xs)=[^&]*/g, '');
  assert.doesNotMatch(magnet, /[?&](?:ws|xs)=/);
  const top = decode(readFileSync(site.torrentPath));
  assert.ok(isDict(top) && top.has('url-list'), 'the site names its web seed in the .torrent');
  top.delete('url-list');
  const torrent = join(site.dir, 'peer-only.torrent');
  writeFileSync(torrent, encode(top));
  const clients: [string, (source: string, out: string) => Promise<void> | void][] = [
    ['seedcast', (source, out) => seedcastDownload(t, source, out)],
    ['aria2c', (source, out) => aria2Download(t, out, source, ['--bt-stop-timeout=60'])],
    ['libtorrent', async (source, out) => void (await libtorrentDownload(t, source, out))],
  ];
  for (const [name, download] of clients) {
    for (const [kind, source] of [
      ['magnet', magnet],
      ['.torrent', torrent],
    ] as const) {
      const out = join(site.dir, `peer-only-${name}-${kind}`);
      const got = await site.measure(() => download(source, out));
      assert.equal(copiesOf(out, VIDEO).length, 1, `${name} (${kind}): byte-exact`);
      assert.ok(got.peer >= VIDEO.length, `${name} (${kind}): the site's peer sent ${JSON.stringify(got)}`);
      assert.equal(got.webSeed, 0, `${name} (${kind}): the web seed sent ${got.webSeed}`);
    }
  }
});
