/**
 * End to end, torrent-only publishing ("publish without uploading") and archiving, with real
 * processes and clients, bytes compared:
 * - a libtorrent seeder holds the content; its v1 torrent is published through the API of
 *   `seedcast serve`; the site archives it through the swarm (the seeder found through the site's
 *   tracker); the seeder is stopped; aria2c then downloads it from the item's magnet link with only
 *   the site (its tracker and its seeding peer, no web seed in a magnet);
 * - `seedcast publish --torrent-only` as a real process seeds, and the site archives from it;
 * - the site restarted in the middle of archiving keeps the pieces it had and fetches only the rest;
 * - `serve --no-archive` only tracks the item: nothing is fetched from the publisher.
 * (aria2 1.36 with a normally published, hybrid item's magnet gets the metadata from the site's
 * peer, then computes a wrong info hash from the hybrid info dictionary and finds nobody; with a v1
 * torrent, as here, it downloads from the site alone.)
 * Skips loudly without libtorrent or aria2c (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { aria2Download, copiesOf } from './helpers/aria2.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, run, start, startCli, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const PIECE = 256 * 1024;
/** 4 MiB (16 pieces of 256 KiB) that compress badly. */
const CONTENT = Buffer.from(new Uint8Array(16 * PIECE).map((_, i) => (i * 2654435761) >>> 24));

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
type Json = any;

function api(base: string) {
  return async (path: string, init: RequestInit = {}): Promise<Json> => {
    const res = await fetch(`${base}${path}`, init);
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
}

async function account(base: string): Promise<string> {
  const call = api(base);
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await call('/api/v1/users', json({ username: 'publisher', password: 'correct horse' }));
  const { token } = await call('/api/v1/tokens', json({ username: 'publisher', password: 'correct horse' }));
  return token;
}

async function registerTorrent(base: string, token: string, torrent: Buffer): Promise<Json> {
  const form = new FormData();
  form.append('title', 'Test pattern, torrent only');
  form.append('license', 'CC0-1.0');
  form.append('torrent', new Blob([torrent], { type: 'application/x-bittorrent' }), 'pattern.torrent');
  return api(base)('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

/** Polls the item until `done(item)`; fails after `ms`. */
async function waitForItem(
  base: string,
  id: number,
  done: (item: Json) => boolean,
  ms: number,
): Promise<Json> {
  const deadline = Date.now() + ms;
  let last: Json;
  while (Date.now() < deadline) {
    last = await api(base)(`/api/v1/items/${id}`);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out; the item: ${JSON.stringify(last)}`);
}

/** Content folder + a v1 torrent made by libtorrent (aria2 1.36 mis-hashes hybrid torrents). */
function makeContent(dir: string): { src: string; torrentPath: string } {
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'pattern.mp4'), CONTENT);
  const torrentPath = join(dir, 'made.torrent');
  run(LIBTORRENT_PYTHON, [LT_TOOL, 'create', join(src, 'pattern.mp4'), torrentPath, 'v1', String(PIECE)]);
  return { src, torrentPath };
}

/** The site's `.torrent` for the item (its tracker first), saved to a file. */
async function siteTorrent(dir: string, item: Json): Promise<string> {
  const path = join(dir, `site-${item.id}.torrent`);
  writeFileSync(path, Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()));
  return path;
}

async function fileBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

test('a libtorrent seeder publishes torrent-only; the site archives it; aria2c gets it from the site alone by magnet', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent', 'aria2c')) return;
  const dir = tempDir(t, 'seedcast-torrent-only-');
  const { src, torrentPath } = makeContent(dir);
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const token = await account(base!);
  const item = await registerTorrent(base!, token, readFileSync(torrentPath));
  assert.equal(item.torrentOnly, true);
  assert.deepEqual(
    item.files.map((f: Json) => f.url),
    [null],
    'no file URL before archiving',
  );

  // The publisher seeds with the site's torrent (the site's tracker first).
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', await siteTorrent(dir, item), src]);
  await seeder.waitFor(/"port"/, 60_000);
  const archived = await waitForItem(base!, item.id, (i) => i.archived, 180_000);
  assert.equal(archived.torrentOnly, true);
  // The site's own copy is no download (issue 17: it showed "Completed 1" and the whole file saved).
  await new Promise((r) => setTimeout(r, 1000));
  const own = await api(base!)(`/api/v1/items/${item.id}`);
  assert.equal(own.swarm.completed, 0, `archiving is not a download: ${JSON.stringify(own.swarm)}`);
  assert.equal(own.swarm.saved, 0);
  seeder.child.stdin!.end();
  await seeder.exited;

  // The site holds the bytes: its file URL (also the web seed now in the torrent) serves them.
  const url = archived.files[0].url;
  assert.ok(url, 'a file URL once archived');
  assert.ok((await fileBytes(url)).equals(CONTENT), 'the archived file is byte-exact');
  const served = await (await fetch(item.torrentUrl)).arrayBuffer();
  assert.ok(Buffer.from(served).includes(Buffer.from(`${base}/items/${item.id}/files/`)), 'web seed added');

  // A fresh client with the magnet alone, the publisher gone: the site's tracker and peer suffice.
  assert.doesNotMatch(item.magnet, /[?&]ws=/);
  const out = join(dir, 'aria2');
  await aria2Download(t, out, item.magnet, ['--bt-stop-timeout=120']);
  assert.equal(copiesOf(out, CONTENT).length, 1, 'aria2c wrote exactly the published bytes');
  const after = await api(base!)(`/api/v1/items/${item.id}`);
  assert.ok(after.swarm.served.peer >= CONTENT.length, `the site's peer served ${after.swarm.served.peer}`);
  assert.equal(after.swarm.served.http, CONTENT.length, 'only our own check fetched over plain HTTP');
});

test('`seedcast publish --torrent-only` seeds from a real process and the site archives it', {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-publish-only-');
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const token = await account(base!);
  const show = join(dir, 'show');
  mkdirSync(join(show, 'extras'), { recursive: true });
  const notes = Buffer.from('Episode one.\n'.repeat(1000));
  writeFileSync(join(show, 'episode.mp4'), CONTENT);
  writeFileSync(join(show, 'extras', 'notes.txt'), notes);
  const publisher = startCli(t, [
    'publish',
    show,
    '--server',
    base!,
    '--token',
    token,
    '--torrent-only',
    '--title',
    'A show',
    '--license',
    'CC-BY-4.0',
    '--port',
    String(await freePort()),
  ]);
  const [, id] = await publisher.waitFor(/published: \S+\/items\/(\d+)/, 60_000);
  await publisher.waitFor(/seeding/, 30_000);
  const archived = await waitForItem(base!, Number(id), (i) => i.archived, 180_000);
  assert.equal(archived.torrentOnly, true);
  assert.equal(archived.title, 'A show');
  // The publisher is told where archiving stands, and when it may stop seeding.
  await publisher.waitFor(
    /archive: archived: the site keeps a copy and seeds it; you may stop seeding/,
    30_000,
  );
  assert.match(publisher.output(), /archive: (waiting for peers|archiving \d+%)\n/);
  const byPath = new Map(archived.files.map((f: Json) => [f.path, f.url]));
  assert.ok((await fileBytes(byPath.get('show/episode.mp4') as string)).equals(CONTENT));
  assert.ok((await fileBytes(byPath.get('show/extras/notes.txt') as string)).equals(notes));
  assert.equal(await publisher.stop('SIGINT'), 0, publisher.output());
  // Nothing of the download is left in the staging folder once archived (the folder goes just after
  // the item shows as archived and its seeding starts: give it a moment).
  const staging = join(dir, 'data', 'tmp', 'archive');
  for (let i = 0; i < 50 && readdirSync(staging).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(readdirSync(staging), []);
});

test('a site restarted in the middle of archiving keeps its pieces and fetches only the rest', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-archive-resume-');
  const { src, torrentPath } = makeContent(dir);
  const config = {
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: await freePort(),
    data: join(dir, 'data'),
  };
  let site = await startServer(config);
  t.after(() => site.close());
  const token = await account(site.url);
  const item = await registerTorrent(site.url, token, readFileSync(torrentPath));
  const torrent = await siteTorrent(dir, item);

  // A peer with only the first half: its copy has zeros where the second half should be.
  const half = join(dir, 'half');
  mkdirSync(half);
  const damaged = Buffer.from(CONTENT);
  damaged.fill(0, CONTENT.length / 2);
  writeFileSync(join(half, 'pattern.mp4'), damaged);
  const partial = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'download', torrent, half]);
  const midway = await waitForItem(site.url, item.id, (i) => i.archiving?.have === 8, 120_000);
  assert.equal(midway.archiving.pieces, 16);
  assert.equal(midway.archived, false);
  await site.close();
  await partial.stop('SIGKILL');

  // Restarted on the same data folder and ports: the 8 pieces are found again before any peer.
  site = await startServer(config);
  const resumed = await waitForItem(site.url, item.id, (i) => i.archiving?.pieces === 16, 60_000);
  assert.equal(resumed.archiving.have, 8, JSON.stringify(resumed.archiving));
  assert.equal(resumed.archiving.peers, 0);

  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrent, src]);
  await seeder.waitFor(/"port"/, 60_000);
  const archived = await waitForItem(site.url, item.id, (i) => i.archived, 180_000);
  assert.ok((await fileBytes(archived.files[0].url)).equals(CONTENT), 'byte-exact after resuming');
  seeder.child.stdin!.end();
  const [, uploaded] = await seeder.waitFor(/"uploaded": (\d+)/, 30_000);
  assert.ok(
    Number(uploaded) <= CONTENT.length / 2 + 2 * PIECE,
    `the seeder sent ${uploaded} bytes: only the missing half (${CONTENT.length / 2}) was fetched`,
  );
  assert.ok(Number(uploaded) >= CONTENT.length / 2, `the seeder sent ${uploaded} bytes`);
});

test('`seedcast serve --no-archive` only tracks a torrent-only item; its publisher keeps seeding it', {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-no-archive-');
  const { src, torrentPath } = makeContent(dir);
  const server = startCli(t, [
    'serve',
    '--no-archive',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const item = await registerTorrent(base!, await account(base!), readFileSync(torrentPath));
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', await siteTorrent(dir, item), src]);
  await seeder.waitFor(/"port"/, 60_000);
  const tracked = await waitForItem(base!, item.id, (i) => i.swarm.seeders === 1, 60_000);
  // Long enough for an archiver to have connected and fetched 4 MiB over loopback, had there been one.
  await new Promise((r) => setTimeout(r, 5000));
  const later = await api(base!)(`/api/v1/items/${item.id}`);
  assert.equal(later.archived, false);
  assert.equal(later.archiving, undefined);
  assert.deepEqual(
    later.files.map((f: Json) => f.url),
    [null],
  );
  assert.equal(tracked.swarm.leechers, 0, 'the site does not download it');
  assert.equal(readdirSync(join(dir, 'data', 'tmp')).includes('archive'), false);
  seeder.child.stdin!.end();
  const [, uploaded] = await seeder.waitFor(/"uploaded": (\d+)/, 30_000);
  assert.equal(Number(uploaded), 0, 'nobody fetched anything from the publisher');
});
