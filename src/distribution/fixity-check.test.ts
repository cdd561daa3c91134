/**
 * The fixity check: a torrent's pieces re-hashed from blob storage; flipped bytes in a stored blob
 * are found as exactly the pieces over them (v1 and v2), a missing blob fails its pieces, a pass can
 * stop and carry on where it stopped, and every byte read waits for its tokens in the budget first.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RateLimiter } from '../engine/index.js';
import { BlobPieceStore, LocalDiskStore, readAll } from '../storage/index.js';
import { createTorrent, parseTorrent, type TorrentVersion } from '../torrent/index.js';
import { checkPieces } from './fixity-check.js';

const PIECE = 32_768;
let dir = '';
const data = { 'a.bin': randomBytes(200_000), 'b.bin': randomBytes(70_001) };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'seedcast-fixity-check-'));
  mkdirSync(join(dir, 'pack'));
  for (const [name, bytes] of Object.entries(data)) writeFileSync(join(dir, 'pack', name), bytes);
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function published(version: TorrentVersion) {
  const blobs = new LocalDiskStore(join(dir, `blobs-${++n}`));
  const created = await createTorrent(join(dir, 'pack'), { version, pieceLength: PIECE, creationDate: null });
  const meta = parseTorrent(created.torrent);
  const keys: string[] = [];
  for (const [i, f] of created.files.entries()) {
    keys.push(`items/1/files/${i}`);
    await blobs.put(keys[i]!, data[f.path.join('/') as keyof typeof data]);
  }
  return { blobs, meta, keys, store: new BlobPieceStore(meta, blobs, { keys }) };
}

async function flip(blobs: LocalDiskStore, key: string, at: number[]): Promise<void> {
  const bytes = await readAll(await blobs.get(key));
  for (const i of at) bytes[i]! ^= 0x5a;
  await blobs.put(key, bytes);
}

describe('fixity check', () => {
  for (const version of ['v1', 'v2'] as const) {
    test(`flipped bytes in a stored ${version} blob are exactly the damaged pieces`, async () => {
      const { blobs, meta, keys, store } = await published(version);
      const clean = await checkPieces(meta, store);
      assert.deepEqual(clean.damaged, []);
      assert.equal(clean.pieces, meta.pieceCount);
      assert.equal(clean.files, 2);
      assert.ok(clean.bytes >= 270_001, `read ${clean.bytes} bytes`);
      // a.bin is the first file: bytes 5 and 100_000 are in pieces 0 and 3 of either layout.
      await flip(blobs, keys[0]!, [5, 100_000]);
      const result = await checkPieces(meta, store);
      assert.deepEqual(result.damaged, [0, 3]);
    });
  }

  test('a missing blob fails its pieces instead of throwing', async () => {
    const { blobs, meta, keys, store } = await published('v2');
    await blobs.delete(keys[1]!);
    const result = await checkPieces(meta, store);
    // v2: b.bin starts on a piece boundary: pieces 7, 8 and 9 (200_000 bytes of a.bin take 7 pieces).
    assert.deepEqual(result.damaged, [7, 8, 9]);
  });

  test('a pass stopped by its deadline carries on where it stopped', async () => {
    const { blobs, meta, keys, store } = await published('v1');
    await flip(blobs, keys[1]!, [60_000]); // b.bin starts at 200_000: byte 260_000 is in piece 7
    const first = await checkPieces(meta, store, { until: Date.now() - 1 });
    assert.equal(first.pieces, 1, 'at least one piece per slice');
    assert.equal(first.next, 1);
    const rest = await checkPieces(meta, store, { from: first.next! });
    assert.equal(rest.next, undefined);
    assert.equal(first.pieces + rest.pieces, meta.pieceCount);
    assert.deepEqual([...first.damaged, ...rest.damaged], [7]);
  });

  test('every read waits for its bytes in the budget first', async () => {
    const { meta, store } = await published('v1');
    const events: string[] = [];
    let taken = 0;
    const metered = {
      ...store,
      read: (offset: number, length: number) => {
        events.push(`read ${length}`);
        return store.read(offset, length);
      },
      write: store.write.bind(store),
      close: store.close.bind(store),
    };
    const result = await checkPieces(meta, metered, {
      budget: {
        take: async (bytes) => {
          taken += bytes;
          events.push(`take ${bytes}`);
        },
      },
    });
    assert.equal(taken, result.bytes);
    for (let i = 0; i < events.length; i += 2) {
      assert.match(events[i]!, /^take /);
      assert.equal(events[i + 1], events[i]!.replace('take', 'read'));
    }
  });

  test('a small byte rate holds the pass back (at least the time the rate allows)', async () => {
    const { meta, store } = await published('v1');
    const rate = 128 * 1024;
    const limiter = new RateLimiter(rate);
    const started = performance.now();
    const alive = setInterval(() => {}, 1000); // the limiter's timers do not hold the process open
    const result = await checkPieces(meta, store, { budget: limiter }).finally(() => clearInterval(alive));
    const seconds = (performance.now() - started) / 1000;
    limiter.close();
    // The bucket starts with a quarter second of tokens and may go one piece into debt.
    const floor = (result.bytes - rate / 4 - PIECE) / rate;
    assert.ok(
      seconds >= floor * 0.95,
      `${result.bytes} bytes in ${seconds.toFixed(2)} s, at least ${floor.toFixed(2)} s`,
    );
  });
});
