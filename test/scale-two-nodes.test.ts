/**
 * Two site nodes (issue 22): two `seedcast serve` processes (the built CLI) on one PostgreSQL, one
 * S3 store (s3rver) and one redis-server serve one site. Both name the same public URL (node B's, as
 * a reverse proxy would route there), so torrents name B's tracker and web seed. An item published
 * on A is found on B (item API, search, `.torrent`); B's tracker and A's give the same swarm (one
 * swarm in Redis) holding the owner's seeding peer; libtorrent downloads it through B's tracker from
 * the peer alone (no web seed in its torrent), byte-exact, and B's web seed serves ranges from S3.
 * A tus upload begun on A is finished on B and published there. Then A is stopped: B takes over A's item
 * (A leaves the roster as it stops) and libtorrent downloads it from B's peer. Node ids are picked so
 * that A owns the first item. Skips loudly without PostgreSQL, redis-server or libtorrent; fails
 * under CI=true.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { rendezvousOwner } from '../src/distribution/node-roster.js';
import { parseTorrent } from '../src/torrent/index.js';
import { call, startClusterBackends } from './helpers/cluster.js';
import { postgresAvailable } from './helpers/postgres.js';
import { redisAvailable } from './helpers/redis.js';
import { LIBTORRENT_PYTHON, requireTools, start, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const BIN = new URL('../bin/seedcast.js', import.meta.url).pathname;
const TUS = { 'tus-resumable': '1.0.0' };
const RECORDING = randomBytes(1024 * 1024 + 12_345);
const LECTURE = randomBytes(600_000);

test('two serve nodes on one PostgreSQL, S3 and Redis: publish on A, find and download through B', {
  timeout: 180_000,
}, async (t) => {
  const what = 'two site nodes';
  const began = Date.now();
  const step = (done: string) =>
    process.stderr.write(`# ${((Date.now() - began) / 1000).toFixed(1)} s: ${done}\n`);
  if (!postgresAvailable(what) || !redisAvailable(what) || !requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-two-nodes-');
  const { env, portA, portB, peerA, peerB } = await startClusterBackends(t);
  const publicUrl = `http://127.0.0.1:${portB}`;
  // The first item (id 1 on a fresh database) belongs to A.
  let nodeA = 'node-a';
  for (let i = 0; rendezvousOwner([nodeA, 'node-b'], 1) !== nodeA; i++) nodeA = `node-a${i}`;
  const serve = async (name: string, node: string, port: number, peerPort: number) => {
    const data = join(dir, name);
    const args = ['serve', '--port', String(port), '--peer-port', String(peerPort), '--data', data];
    const flags = ['--node-id', node, '--public-url', publicUrl, '--no-dht', '--allow-private-urls'];
    const proc = start(t, process.execPath, [BIN, ...args, ...flags], { env });
    const [, url] = await proc.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    return { proc, url: url! };
  };
  step('started services');
  const a = await serve('a', nodeA, portA, peerA);
  const b = await serve('b', 'node-b', portB, peerB);
  t.after(() => {
    if (process.env.SEEDCAST_TEST_VERBOSE)
      process.stderr.write(`A:\n${a.proc.output()}\nB:\n${b.proc.output()}\n`);
  });
  assert.equal(b.url, publicUrl);

  step('nodes listening');
  // Accounts are shared: made on A, a token asked of B.
  await call(a.url, '/api/v1/users', { json: { username: 'keeper', password: 'a long passphrase' } });
  const { token } = await call(b.url, '/api/v1/tokens', {
    json: { username: 'keeper', password: 'a long passphrase' },
  });
  const auth = { authorization: `Bearer ${token}` };

  step('account');
  // Published on A ...
  const form = new FormData();
  form.append('title', 'Harbour lighthouse at night');
  form.append('license', 'CC-BY-4.0');
  form.append('file', new Blob([RECORDING]), 'lighthouse.flac');
  const item = await call(a.url, '/api/v1/items', { headers: auth, body: form });
  assert.equal(item.id, 1, 'the first item of a fresh database');
  step('published');
  // ... shown, found and served on B.
  assert.equal((await call(b.url, '/api/v1/items/1')).title, 'Harbour lighthouse at night');
  const found = await call(b.url, '/api/v1/search?q=lighthouse');
  assert.deepEqual(
    found.items.map((i: { id: number }) => i.id),
    [1],
  );
  const torrentRes = await fetch(`${b.url}/items/1.torrent`);
  assert.equal(torrentRes.status, 200);
  const torrent = Buffer.from(await torrentRes.arrayBuffer());
  const meta = parseTorrent(torrent);
  assert.equal(meta.announce[0]?.[0], `${publicUrl}/announce`, 'B (the public URL) tracks it');
  const range = await fetch(item.files[0].url.replace(publicUrl, b.url), {
    headers: { range: 'bytes=1000-1999' },
  });
  assert.equal(range.status, 206);
  assert.ok(
    Buffer.from(await range.arrayBuffer()).equals(RECORDING.subarray(1000, 2000)),
    'B web-seeds from S3',
  );

  step('found on B');
  // One swarm: A's seeding peer announced (to B's tracker, the public URL's); both nodes see it.
  const infoHash = Buffer.from(meta.infoHash, 'hex');
  await until(async () => (await scrape(b.url, infoHash)).complete >= 1, 'the owner seeds');
  assert.deepEqual(await scrape(a.url, infoHash), await scrape(b.url, infoHash), 'A and B see one swarm');

  step('one swarm');
  // libtorrent through B's tracker, from the seeding peer alone (the torrent's web seed removed).
  const peerOnly = join(dir, 'peer-only.torrent');
  writeFileSync(peerOnly, withoutWebSeed(torrent));
  const first = await ltDownload(peerOnly, join(dir, 'lt-1'));
  assert.equal(first.have, first.total, JSON.stringify(first));
  assert.ok(sha(readFileSync(join(dir, 'lt-1', 'lighthouse.flac'))) === sha(RECORDING), 'byte-exact');
  assert.ok(
    first.peers.some((p) => p.client.startsWith('Seedcast') && p.received > 0),
    `a site node's peer (A's: it owns the item) served it: ${JSON.stringify(first.peers)}`,
  );

  step('downloaded');
  // A tus upload begun on A, finished on B, published on B.
  const created = await fetch(`${a.url}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      ...TUS,
      ...auth,
      'upload-length': String(LECTURE.length),
      'upload-metadata': `filename ${Buffer.from('lecture.webm').toString('base64')}`,
    },
  });
  assert.equal(created.status, 201, await created.text());
  const path = new URL(created.headers.get('location')!).pathname;
  const half = 250_000;
  assert.equal(await patch(a.url, path, auth, 0, LECTURE.subarray(0, half)), half);
  const head = await fetch(`${b.url}${path}`, { method: 'HEAD', headers: { ...TUS, ...auth } });
  assert.equal(head.headers.get('upload-offset'), String(half), 'B sees the bytes A received');
  assert.equal(await patch(b.url, path, auth, half, LECTURE.subarray(half)), LECTURE.length);
  const publish = new FormData();
  publish.append('title', 'Lecture on lighthouses');
  publish.append('license', 'CC-BY-4.0');
  publish.append('upload', path.split('/').pop()!);
  const lecture = await call(b.url, '/api/v1/items', { headers: auth, body: publish });
  const served = Buffer.from(await (await fetch(lecture.files[0].url)).arrayBuffer());
  assert.equal(sha(served), sha(LECTURE), 'the upload, half from A and half from B, is whole');

  step('tus');
  for (const node of [a, b]) assert.doesNotMatch(node.proc.output(), /damaged/, 'no node found damage');
  // A goes away: B takes its item over within the TTL and a heartbeat.
  // A stops (SIGTERM): it leaves the roster as it closes.
  const stopped = await Promise.race([a.proc.stop(), sleep(20_000).then(() => 'still running')]);
  assert.equal(stopped, 0, `A exits within 20 s of SIGTERM:\n${a.proc.output().slice(-2000)}`);
  step('A stopped');
  const second = await ltDownload(peerOnly, join(dir, 'lt-2'));
  assert.equal(second.have, second.total, JSON.stringify(second));
  assert.ok(
    second.peers.some((p) => p.client.startsWith('Seedcast') && p.received > 0),
    `B's peer (A is gone) took the item over: ${JSON.stringify(second.peers)}`,
  );
});

async function patch(base: string, path: string, auth: Record<string, string>, offset: number, body: Buffer) {
  const res = await fetch(`${base}${path}`, {
    method: 'PATCH',
    headers: {
      ...TUS,
      ...auth,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
    },
    body,
  });
  assert.equal(res.status, 204, await res.text());
  return Number(res.headers.get('upload-offset'));
}

/** Seeders and leechers of one torrent through a node's HTTP scrape (BEP 48). */
async function scrape(base: string, infoHash: Buffer): Promise<{ complete: number; incomplete: number }> {
  const escaped = [...infoHash].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  const res = await fetch(`${base}/scrape?info_hash=${escaped}`);
  const top = decode(new Uint8Array(await res.arrayBuffer()));
  assert.ok(isDict(top));
  const files = top.get('files');
  assert.ok(isDict(files), 'a scrape answer');
  const counts = [...files.values()][0];
  assert.ok(isDict(counts));
  return { complete: Number(counts.get('complete')), incomplete: Number(counts.get('incomplete')) };
}

function withoutWebSeed(torrent: Buffer): Buffer {
  const top = decode(torrent);
  assert.ok(isDict(top));
  top.delete('url-list');
  return encode(top);
}

interface LtResult {
  have: number;
  total: number;
  peers: { ip: string; client: string; received: number }[];
}

function ltDownload(torrent: string, out: string): Promise<LtResult> {
  mkdirSync(out, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(LIBTORRENT_PYTHON, [LT_TOOL, 'download', torrent, out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LT_TIMEOUT: '60' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout) as LtResult)
        : reject(new Error(`lt_tool exited ${code}: ${stderr}`)),
    );
  });
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(250);
  }
}
