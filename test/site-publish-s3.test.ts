/**
 * The site on S3-compatible storage (s3rver on loopback): a published item's files go to the bucket,
 * the web seed serves byte ranges from it, and the site's peer seeds from it through
 * `BlobPieceStore` (libtorrent downloads the item from that peer alone). Nothing stays in the data
 * folder: the staging area is emptied, and media analysis removes its temporary copy of the file.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { openDatabase } from '../src/db/index.js';
import { startS3 } from './helpers/s3.js';
import { LIBTORRENT_PYTHON, requireTools, tempDir } from './helpers/tools.js';
import { BASE, login, multipart, openTestSite } from './site-fixtures.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const AUDIO = Buffer.from(new Uint8Array(700_000).map((_, i) => (i * 40503) >>> 8));

test('publishing to S3: web seed ranges and the seeding peer read from the bucket', {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-s3-site-');
  const s3 = await startS3();
  t.after(() => s3.stop());
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  t.after(() => db.destroy());
  const s = await openTestSite(db, { storageUrl: s3.url() });
  t.after(() => s.close());
  const auth = await login(s.app);
  const body = multipart([
    { name: 'title', value: 'On S3' },
    { name: 'license', value: 'CC-BY-4.0' },
    { name: 'file', filename: 'song.flac', value: AUDIO },
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json();
  await s.site.media?.idle();
  assert.notEqual((await s.site.items.get(item.id))?.mediaCheckedAt, null, 'analysed from a copy');
  assert.deepEqual(s.files(), [], 'nothing stays in the data folder');
  const part = await s.app.inject({
    url: item.files[0].url.slice(BASE.length),
    headers: { range: 'bytes=100000-100099' },
  });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-type'], 'audio/flac');
  assert.ok(part.rawPayload.equals(AUDIO.subarray(100_000, 100_100)));
  assert.ok(s.site.seeding.isSeeding(item.id));

  if (!requireTools(t, 'libtorrent')) return;
  // The torrent without tracker and web seed: libtorrent can only get the bytes from the site's peer.
  const top = decode((await s.app.inject({ url: item.torrentUrl.slice(BASE.length) })).rawPayload);
  assert.ok(isDict(top));
  for (const key of ['announce', 'announce-list', 'url-list']) top.delete(key);
  const torrentPath = join(dir, 'peer-only.torrent');
  writeFileSync(torrentPath, encode(top));
  const out = join(dir, 'lt');
  mkdirSync(out);
  const peerPort = s.site.seeding.peerPort();
  // Asynchronously: the seeding peer runs in this process.
  const result = JSON.parse(
    await runAsync(LIBTORRENT_PYTHON, [LT_TOOL, 'download', torrentPath, out, `127.0.0.1:${peerPort}`]),
  );
  assert.equal(result.have, result.total, JSON.stringify(result));
  assert.ok(readFileSync(join(out, 'song.flac')).equals(AUDIO), 'byte-exact from the S3-backed peer');
});

function runAsync(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}
