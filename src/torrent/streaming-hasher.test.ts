import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { createTorrent } from './create.js';
import { parseTorrent } from './parse.js';
import { StreamingHasher } from './streaming-hasher.js';

const KiB = 1024;
const OPTIONS = { announce: ['http://site.test/announce'], creationDate: null, comment: 'same' };

/** Feeds `data` to a file hasher in chunks of random sizes (0 to 70 KiB, across block edges). */
function feed(hasher: StreamingHasher, path: string[], data: Buffer): void {
  const file = hasher.addFile(path);
  let at = 0;
  while (at < data.length) {
    const n = Math.min(data.length - at, Math.floor(Math.random() * 70 * KiB));
    file.update(data.subarray(at, at + n));
    at += n;
  }
  file.end();
}

async function compare(
  t: { after(fn: () => void): void },
  files: Record<string, Buffer>,
  maxBytes: number,
  name = 'content',
) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-stream-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const entries = Object.entries(files);
  const single = entries.length === 1;
  for (const [path, data] of entries) {
    const abs = single ? join(dir, path) : join(dir, name, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, data);
  }
  const expected = await createTorrent(single ? join(dir, entries[0]![0]) : join(dir, name), {
    ...OPTIONS,
    version: 'hybrid',
    name: single ? entries[0]![0] : name,
  });
  const hasher = new StreamingHasher({ maxBytes });
  // arrival order is not torrent order
  for (const [path, data] of entries.reverse()) feed(hasher, path.split('/'), data);
  const got = hasher.finish({ ...OPTIONS, name: single ? undefined : name });
  assert.equal(got.infoHash, expected.infoHash);
  assert.equal(got.infoHashV2, expected.infoHashV2);
  assert.equal(got.pieceLength, expected.pieceLength);
  assert.ok(got.torrent.equals(expected.torrent), 'the .torrent is byte-identical');
  parseTorrent(got.torrent); // and valid (the v1 and v2 halves agree)

  // v1 (BEP 3, no padding): the files fed in the order createTorrent lists them give its torrent
  const root = single ? join(dir, entries[0]![0]) : join(dir, name);
  const v1 = await createTorrent(root, { ...OPTIONS, version: 'v1', name: single ? entries[0]![0] : name });
  const plain = new StreamingHasher({ maxBytes });
  for (const f of v1.files) feed(plain, f.path, files[single ? entries[0]![0] : f.path.join('/')]!);
  const gotV1 = plain.finish({ ...OPTIONS, version: 'v1', name: single ? undefined : name });
  assert.equal(gotV1.infoHash, v1.infoHash);
  assert.equal(gotV1.infoHashV2, undefined);
  assert.ok(gotV1.torrent.equals(v1.torrent), 'the v1 .torrent is byte-identical');
  assert.equal(parseTorrent(gotV1.torrent).files.filter((f) => f.padding).length, 0, 'no padding files');
  return got;
}

test('one file: the same torrent as createTorrent, small, block-aligned, piece-aligned and odd sizes', async (t) => {
  for (const size of [1, 100, 16 * KiB, 16 * KiB + 1, 64 * KiB, 300_001])
    await compare(t, { 'clip.ogg': randomBytes(size) }, size);
});

test('several files (nested, empty, out of order): padding files and piece layers agree', async (t) => {
  const got = await compare(
    t,
    {
      'b.bin': randomBytes(100_000),
      'a/deep/z.txt': randomBytes(5),
      'a/empty': Buffer.alloc(0),
      'c.ogg': randomBytes(48 * KiB),
      'Ä.txt': randomBytes(20_000),
    },
    10_000_000,
    'Folder',
  );
  assert.equal(got.files.length, 5);
});

test('the piece length is chosen from the total even when the bound is loose (no Content-Length)', async (t) => {
  // 40 MiB: 32 KiB pieces; the 16 KiB candidate falls out on the way, larger ones stay
  const got = await compare(
    t,
    { 'big.bin': randomBytes(30 * 1024 * KiB), 'small.bin': randomBytes(10 * 1024 * KiB) },
    8 * 1024 ** 3,
  );
  assert.equal(got.pieceLength, 32 * KiB);
});

test('an exact total hashes one piece length only, with the same result', async (t) => {
  const data = randomBytes(40 * 1024 * KiB);
  const exact = new StreamingHasher({ maxBytes: data.length, minBytes: data.length });
  assert.deepEqual(exact.candidates, [32 * KiB]);
  feed(exact, ['big.bin'], data);
  const loose = await compare(t, { 'big.bin': data }, data.length);
  assert.ok(exact.finish(OPTIONS).torrent.equals(loose.torrent));
});

test('more bytes than the bound is refused', () => {
  const hasher = new StreamingHasher({ maxBytes: 1000 });
  feed(hasher, ['x'], randomBytes(40 * 1024 * KiB));
  assert.throws(
    () => hasher.finish(OPTIONS),
    (e) => isSeedcastError(e, 'CREATE_INPUT'),
  );
});

test('v1 of several files needs them one after the other; fed side by side only hybrid is possible', () => {
  const hasher = new StreamingHasher({ maxBytes: 1_000_000 });
  const a = hasher.addFile(['a']);
  a.update(randomBytes(1000));
  const b = hasher.addFile(['b']);
  b.update(randomBytes(1000));
  a.update(randomBytes(1000)); // a's bytes after b was added
  a.end();
  b.end();
  assert.throws(
    () => hasher.finish({ ...OPTIONS, version: 'v1', name: 'x' }),
    (e) => isSeedcastError(e, 'CREATE_OPTIONS') && /one after the other/.test(e.message),
  );
  assert.equal(hasher.finish({ ...OPTIONS, name: 'x' }).version, 'hybrid');
});

test('hashing for v1 only gives the same v1 torrent and refuses hybrid', () => {
  const files = [randomBytes(100_000), randomBytes(33_333)];
  const make = (v1Only: boolean) => {
    const h = new StreamingHasher({ maxBytes: 1_000_000, v1Only });
    files.forEach((data, i) => {
      feed(h, [`f${i}`], data);
    });
    return h;
  };
  const lean = make(true);
  const v1 = lean.finish({ ...OPTIONS, version: 'v1', name: 'x' });
  assert.ok(v1.torrent.equals(make(false).finish({ ...OPTIONS, version: 'v1', name: 'x' }).torrent));
  assert.throws(
    () => lean.finish({ ...OPTIONS, version: 'hybrid', name: 'x' }),
    (e) => isSeedcastError(e, 'CREATE_OPTIONS') && /v1 only/.test(e.message),
  );
});
