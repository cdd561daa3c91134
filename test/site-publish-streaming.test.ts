/**
 * Multipart files are hashed while they stream into the blob store: the item's torrent (v1 by
 * default, hybrid when the upload asks) has the same info hashes (v1, and v2 for hybrid) and piece
 * length as `createTorrent` gives for the same files on disk (v1: uploaded in the order
 * `createTorrent` lists them), with
 * and without a Content-Length (the hasher's bound on the total), and nothing is staged on disk on
 * the way (the only files the site writes are its blobs).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { BASE, login, multipart, openTestSite } from './site-fixtures.js';

const MiB = 1024 * 1024;

test('a multipart upload gets the torrent createTorrent makes for the same files, hashed on the way in', {
  timeout: 240_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-streaming-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = await openTestSite(await openDatabase({ sqlite: join(dir, 'db.sqlite') }));
  t.after(() => s.close());
  const auth = await login(s.app);

  // 34 MiB in all: 32 KiB pieces, so the hasher had to drop the 16 KiB candidate on the way
  const files: Record<string, Buffer> = {
    'talk.ogg': randomBytes(20 * MiB),
    'slides.pdf': randomBytes(14 * MiB + 12_345),
    'notes.txt': randomBytes(100),
  };
  const folder = join(dir, 'Talk and slides');
  mkdirSync(folder);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);
  const expected = await createTorrent(folder, { version: 'v1', announce: [`${BASE}/announce`] });
  assert.equal(expected.pieceLength, 32 * 1024);
  const v1Order = expected.files.map((f) => [f.path.at(-1)!, files[f.path.at(-1)!]!] as const);

  const again = await createTorrent(folder, {
    version: 'hybrid',
    announce: [`${BASE}/announce`],
    name: 'Talk and slides again',
  });
  const single = join(dir, 'talk.ogg');
  writeFileSync(single, files['talk.ogg']!);
  const expectedSingle = await createTorrent(single, { version: 'v1', announce: [`${BASE}/announce`] });

  const cases = [
    { title: 'Talk and slides', parts: v1Order, expected, chunked: false, format: undefined },
    {
      title: 'Talk and slides again',
      parts: Object.entries(files).reverse(),
      expected: again,
      chunked: true,
      format: 'hybrid',
    },
    {
      title: 'Just the talk',
      parts: [['talk.ogg', files['talk.ogg']!] as const],
      expected: expectedSingle,
      chunked: true,
      format: undefined,
    },
  ];
  for (const c of cases) {
    const body = multipart([
      ...(c.format ? [{ name: 'format', value: c.format }] : []), // before the files: what they are hashed for
      ...c.parts.map(([name, data]) => ({ name: 'file', value: data, filename: name })),
      { name: 'title', value: c.title },
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      headers: { ...body.headers, ...auth },
      // a stream has no Content-Length: the hasher's bound is then the upload limit
      payload: c.chunked
        ? Readable.from([body.payload.subarray(0, 5 * MiB), body.payload.subarray(5 * MiB)])
        : body.payload,
    });
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json();
    assert.equal(item.infoHash, c.expected.infoHash, `${c.title} (chunked: ${c.chunked}): same v1 info hash`);
    assert.equal(item.infoHashV2, c.expected.infoHashV2 ?? null, 'same v2 info hash (none for v1)');
    const meta = parseTorrent((await s.app.inject({ url: new URL(item.torrentUrl).pathname })).rawPayload);
    assert.equal(meta.pieceLength, c.expected.pieceLength);
    for (const f of item.files) {
      const got = await s.app.inject({ url: new URL(f.url).pathname });
      const name = f.path.split('/').pop();
      assert.ok(got.rawPayload.equals(files[name]!), `${f.path} is stored byte-exact`);
    }
  }
  assert.deepEqual(
    s.files().filter((f) => !f.startsWith('blobs/')),
    [],
    'nothing but blobs was written (no staging copy)',
  );
});
