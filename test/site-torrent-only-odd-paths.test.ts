/**
 * End to end: a torrent whose paths are odd (a case-only duplicate, an over-long name, a bidi
 * override, `..`, a backslash, an empty component) is published torrent-only to a
 * real `seedcast serve`; a libtorrent seeder holds the content under libtorrent's own names; the site
 * archives it through the swarm and records each file under its sanitised `storagePath`. Then:
 * - every file answers byte-exact at its recorded URL, at the URL Seedcast's engine and aria2 build
 *   from the torrent's own path components, and at the URL libtorrent builds (its sanitised names);
 * - libtorrent, given the site's torrent with its trackers removed (the web seed is its only
 *   source), downloads everything from the site's BEP 19 web seed, byte-exact, under the names it
 *   sanitises to (the same as ours); `seedcast download` does the same;
 * - aria2c (which refuses a torrent with `..` in a path, so a second item without one) completes
 *   from the web seed too, asking for the torrent's own paths.
 * Skips loudly without python3-libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { libtorrentUrlPaths, parseTorrent } from '../src/torrent/index.js';
import { aria2Download, copiesOf } from './helpers/aria2.js';
import { type SiteProc, startSiteProc } from './helpers/site-proc.js';
import { LIBTORRENT_PYTHON, requireTools, run, runCli, start } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const PIECE = 16384;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
type Json = any;

function pattern(length: number, seed: number): Buffer {
  return Buffer.from(new Uint8Array(length).map((_, i) => ((i + seed) * 2654435761) >>> 24));
}

/** The odd files (path components inside the torrent's folder), with their content. */
function oddFiles(): { path: (string | Buffer)[]; data: Buffer }[] {
  const files = [
    { path: ['x.txt'], data: pattern(20_000, 1) },
    { path: ['X.TXT'], data: pattern(30_001, 2) },
    { path: [`${'y'.repeat(250)}.bin`], data: pattern(17_000, 3) },
    { path: ['sub', 'a\u202eb.mp3'], data: pattern(40_000, 4) },
    { path: ['..', '..', 'evil.sh'], data: pattern(5_000, 5) },
    { path: ['c\\d', '', 'e.txt'], data: pattern(9_999, 6) },
    // Invalid UTF-8: C3 starts a two-byte sequence that `a` does not continue (libtorrent: one `_`).
    { path: [Buffer.from('bad\xc3a.txt', 'latin1')], data: pattern(3_333, 7) },
  ];
  return files;
}

function oddTorrent(files: { path: (string | Buffer)[]; data: Buffer }[]): Buffer {
  const all = Buffer.concat(files.map((f) => f.data));
  const pieces: Buffer[] = [];
  for (let at = 0; at < all.length; at += PIECE)
    pieces.push(
      createHash('sha1')
        .update(all.subarray(at, at + PIECE))
        .digest(),
    );
  return encode({
    info: {
      name: 'odd',
      'piece length': PIECE,
      pieces: Buffer.concat(pieces),
      files: files.map((f) => ({ length: f.data.length, path: f.path })),
    },
  } as never);
}

/** The torrent without `announce`/`announce-list`: a client then has only its web seeds. */
function webSeedOnly(torrent: Buffer): Buffer {
  const top = decode(torrent);
  assert.ok(isDict(top));
  const out = new Map(top);
  out.delete('announce');
  out.delete('announce-list');
  return encode(out as never);
}

/** Where libtorrent stores each file of `torrent` (its `file_path()`), written to `path` to ask it. */
function libtorrentFilePaths(path: string, torrent: Buffer): string[] {
  writeFileSync(path, torrent);
  const [answer] = JSON.parse(
    run(LIBTORRENT_PYTHON, [
      '-c',
      `import sys; sys.path.insert(0, ${JSON.stringify(dirname(LT_TOOL))}); import lt_tool; lt_tool.file_paths_main()`,
      path,
    ]),
  ) as { files: string[] }[];
  return answer!.files;
}

/**
 * Publishes `torrent` torrent-only, seeds its content with libtorrent (laid out under libtorrent's
 * names), waits until the site has archived it and stops the seeder. Returns
 * the item as published and as archived, and the site's torrent (now with its web seed).
 */
async function publishArchived(
  t: TestContext,
  site: SiteProc,
  torrent: Buffer,
  files: { data: Buffer }[],
): Promise<{ item: Json; archived: Json; served: Buffer }> {
  const form = new FormData();
  form.append('title', 'Odd paths');
  form.append('license', 'CC0-1.0');
  form.append('torrent', new Blob([torrent], { type: 'application/x-bittorrent' }), 'odd.torrent');
  const item: Json = await site.api('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${site.token}` },
    body: form,
  });

  // The publisher seeds from libtorrent's layout, with the site's torrent.
  const seedRoot = join(site.dir, 'seed');
  const layout = libtorrentFilePaths(join(site.dir, 'given.torrent'), torrent);
  files.forEach((f, i) => {
    const path = join(seedRoot, ...layout[i]!.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.data);
  });
  const siteTorrent = join(site.dir, 'site.torrent');
  writeFileSync(siteTorrent, Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()));
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', siteTorrent, seedRoot]);
  await seeder.waitFor(/"port"/, 60_000);
  const deadline = Date.now() + 150_000;
  let archived: Json = item;
  while (!archived.archived && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    archived = await site.api(`/api/v1/items/${item.id}`);
  }
  assert.ok(archived.archived, `archived: ${JSON.stringify(archived.archive ?? archived)}`);
  seeder.child.stdin!.end();
  await seeder.exited;

  const served = Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()); // now with the web seed
  return { item, archived, served };
}

test('an odd-path torrent published torrent-only: archived under sanitised names, served at every URL clients build, libtorrent completes from the web seed', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const site = await startSiteProc(t);
  const files = oddFiles();
  const torrent = oddTorrent(files);
  const meta = parseTorrent(torrent);
  const stored = meta.files.map((f) => f.storagePath.join('/'));
  assert.deepEqual(stored, [
    'odd/x.txt',
    'odd/X.1.TXT',
    `odd/${'y'.repeat(240)}.bin`,
    'odd/sub/ab.mp3',
    'odd/evil.sh',
    'odd/cd/_/e.txt',
    'odd/bad_.txt',
  ]);

  // libtorrent names the files as we do.
  assert.deepEqual(libtorrentFilePaths(join(site.dir, 'given.torrent'), torrent), stored);

  const { item, archived, served } = await publishArchived(t, site, torrent, files);
  assert.deepEqual(
    item.files.map((f: Json) => f.path),
    stored,
    'the item records the sanitised paths',
  );

  // Every file at its recorded URL, at the torrent's own path and at libtorrent's.
  const webSeed = `${site.base}/items/${item.id}/files/`;
  const lt = libtorrentUrlPaths(meta);
  for (const [i, f] of files.entries()) {
    const urls = [
      archived.files[i].url,
      webSeed + meta.files[i]!.path.map(encodeURIComponent).join('/'),
      webSeed + lt[i]!.map(encodeURIComponent).join('/'),
    ];
    for (const url of urls) {
      // `..` in a URL is resolved away by every URL parser: such a path cannot be asked for.
      if (new URL(url).pathname.includes('/../') || url.includes('/../')) continue;
      const res = await fetch(url, { headers: { range: 'bytes=1-4000' } });
      assert.equal(res.status, 206, `${url}: ${res.status}`);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(f.data.subarray(1, 4001)), `bytes of ${url}`);
    }
  }

  // libtorrent with the web seed as its only source.
  const onlyWs = join(site.dir, 'ws-only.torrent');
  assert.deepEqual(parseTorrent(served).urlList, [webSeed]);
  writeFileSync(onlyWs, webSeedOnly(served));
  const out = join(site.dir, 'lt-out');
  const result = JSON.parse(
    execFileSync(LIBTORRENT_PYTHON, [LT_TOOL, 'download', onlyWs, out], {
      encoding: 'utf8',
      env: { ...process.env, LT_TIMEOUT: '120' },
    }),
  );
  assert.equal(result.have, result.total, JSON.stringify(result));
  for (const [i, f] of files.entries()) {
    assert.ok(readFileSync(join(out, ...meta.files[i]!.storagePath)).equals(f.data), stored[i]);
  }
  const afterLt = await site.api(`/api/v1/items/${item.id}`);
  assert.ok(afterLt.swarm.served.webSeed >= meta.length, `web seed served ${afterLt.swarm.served.webSeed}`);

  // Seedcast's own engine, the same way: it asks for the torrent's own paths (libtorrent's for `..`).
  const ours = join(site.dir, 'seedcast-out');
  const got = await runCli(['download', onlyWs, '-o', ours, '--port', '0', '--no-dht', '--no-lsd']);
  assert.equal(got.code, 0, got.stderr);
  for (const [i, f] of files.entries()) {
    assert.ok(readFileSync(join(ours, ...meta.files[i]!.storagePath)).equals(f.data), stored[i]);
  }
  const after = await site.api(`/api/v1/items/${item.id}`);
  assert.ok(
    after.swarm.served.webSeed >= afterLt.swarm.served.webSeed + meta.length,
    `web seed served ${after.swarm.served.webSeed}`,
  );
});

test("aria2c completes an odd-path torrent-only item from the site's web seed (it refuses `..` torrents, so none here)", {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent', 'aria2c')) return;
  const site = await startSiteProc(t);
  const files = [
    { path: ['x.txt'], data: pattern(20_000, 11) },
    { path: ['X.TXT'], data: pattern(30_001, 12) },
    { path: ['c\\d', '', 'e.txt'], data: pattern(9_999, 13) },
    { path: ['CON'], data: pattern(12_345, 14) },
    { path: ['a/b'], data: pattern(7_000, 15) },
    { path: [`${'z'.repeat(250)}.bin`], data: pattern(17_000, 16) },
  ];
  const torrent = oddTorrent(files);
  assert.deepEqual(
    parseTorrent(torrent).files.map((f) => f.storagePath.join('/')),
    ['odd/x.txt', 'odd/X.1.TXT', 'odd/cd/_/e.txt', 'odd/_CON', 'odd/ab', `odd/${'z'.repeat(240)}.bin`],
  );
  // libtorrent keeps `CON` on Linux; we are stricter (docs/interop.md#paths).
  assert.equal(libtorrentFilePaths(join(site.dir, 'given.torrent'), torrent)[3], 'odd/CON');
  const { served } = await publishArchived(t, site, torrent, files);
  const onlyWs = join(site.dir, 'ws-only.torrent');
  writeFileSync(onlyWs, webSeedOnly(served));
  const out = join(site.dir, 'aria2');
  await aria2Download(t, out, onlyWs, ['--bt-stop-timeout=60']);
  for (const f of files) assert.equal(copiesOf(out, f.data).length, 1, `aria2c wrote ${f.path.join('/')}`);
});
