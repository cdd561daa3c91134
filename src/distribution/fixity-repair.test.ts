/**
 * Repair from the swarm, in process: a site-like engine seeds an item out of blob storage (local
 * disk, then S3), bytes of a stored blob are flipped, the fixity check finds the pieces, and the
 * seeding session fetches exactly those from another peer, verified by hash, writes them back and
 * seeds from its blobs again; meanwhile it keeps serving the intact pieces and refuses the damaged ones.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type S3Server, startS3 } from '../../test/helpers/s3.js';
import type { Item } from '../catalog/index.js';
import { Engine, isRepairing } from '../engine/index.js';
import { BlobPieceStore, type BlobStore, LocalDiskStore, readAll, S3Store } from '../storage/index.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { checkPieces } from './fixity-check.js';
import { repairItem } from './fixity-repair.js';

const PIECE = 32_768;
const content = randomBytes(20 * PIECE + 1234);
let dir = '';
let s3: S3Server | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seedcast-fixity-repair-'));
  mkdirSync(join(dir, 'peer'));
  writeFileSync(join(dir, 'peer', 'show.bin'), content);
  s3 = await startS3();
});
after(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const backends: [string, () => BlobStore][] = [
  ['local disk', () => new LocalDiskStore(join(dir, 'blobs'))],
  ['S3', () => new S3Store(s3!.url().replace('?', '/repair?'))],
];

describe('fixity repair from the swarm', () => {
  for (const [name, make] of backends) {
    test(`flipped bytes in a blob on ${name} are fetched again from a peer; the blob is whole`, async (t) => {
      const blobs = make();
      const created = await createTorrent(join(dir, 'peer', 'show.bin'), {
        pieceLength: PIECE,
        creationDate: null,
      });
      const meta = parseTorrent(created.torrent);
      const key = 'items/7/files/0';
      await blobs.put(key, content);
      const peer = new Engine();
      const site = new Engine();
      t.after(async () => {
        await Promise.all([peer.close(), site.close()]);
        await blobs.close();
      });
      await peer.listen(0);
      await site.listen(0);
      await peer.add({ meta }, { path: join(dir, 'peer') });
      const session = await site.add(
        { meta },
        { path: '', storeFor: (m) => new BlobPieceStore(m, blobs, { keys: [key] }) },
      );
      assert.equal(session.complete, true);
      assert.equal(session.seedOnly, true);

      const damaged = Buffer.from(content);
      for (const at of [3 * PIECE + 5, 3 * PIECE + 6, 11 * PIECE + 100, 20 * PIECE + 1000])
        damaged[at]! ^= 0xff;
      await blobs.put(key, damaged);
      const check = await checkPieces(meta, new BlobPieceStore(meta, blobs, { keys: [key] }));
      assert.deepEqual(check.damaged, [3, 11, 20]);

      const item = { id: 7, files: [{ blobKey: key, sha256: sha(content) }] } as unknown as Item;
      const logs: string[] = [];
      const repair = repairItem(session, item, blobs, check.damaged, {
        tmpRoot: join(dir, 'tmp'),
        log: (m) => logs.push(m),
      });
      // While repairing: a leecher of the damaged pieces only, still holding every other.
      assert.equal(isRepairing(session), true);
      assert.equal(session.seedOnly, false);
      assert.equal(session.have!.count, meta.pieceCount - 3);
      for (const i of check.damaged) assert.equal(session.have!.has(i), false);
      session.addPeerAddress({ host: '127.0.0.1', port: peer.port });
      assert.deepEqual(await repair, [3, 11, 20]);

      assert.equal(sha(await readAll(await blobs.get(key))), sha(content), 'the blob is whole again');
      assert.equal(session.complete, true);
      assert.equal(session.seedOnly, true, 'seeding from its blobs again');
      assert.equal(isRepairing(session), false);
      assert.deepEqual(session.damaged(), []);
      assert.ok(session.stats().downloaded >= 3 * PIECE - PIECE, 'only the damaged pieces were fetched');
      assert.ok(session.stats().downloaded < 6 * PIECE, `fetched ${session.stats().downloaded} bytes`);
      assert.match(logs.join('\n'), /written back to items\/7\/files\/0/);
    });
  }

  test('a blob lost from storage is made anew from the swarm, a batch of pieces at a time', async (t) => {
    const blobs = new LocalDiskStore(join(dir, 'blobs-lost'));
    const created = await createTorrent(join(dir, 'peer', 'show.bin'), {
      pieceLength: PIECE,
      creationDate: null,
    });
    const meta = parseTorrent(created.torrent);
    const key = 'items/9/files/0';
    const peer = new Engine();
    const site = new Engine();
    t.after(() => Promise.all([peer.close(), site.close(), blobs.close()]));
    await peer.listen(0);
    await site.listen(0);
    await peer.add({ meta }, { path: join(dir, 'peer') });
    const session = await site.add(
      { meta },
      { path: '', storeFor: (m) => new BlobPieceStore(m, blobs, { keys: [key] }) },
    );
    const all = Array.from({ length: meta.pieceCount }, (_, i) => i);
    assert.deepEqual(session.damaged(), all, 'nothing stored: every piece is damaged');
    session.addPeerAddress({ host: '127.0.0.1', port: peer.port });
    const item = { id: 9, files: [{ blobKey: key, sha256: sha(content) }] } as unknown as Item;
    const half = Math.ceil(all.length / 2);
    assert.deepEqual(
      await repairItem(session, item, blobs, all.slice(0, half), { whole: false }),
      all.slice(0, half),
    );
    assert.deepEqual(await repairItem(session, item, blobs, all.slice(half)), all.slice(half));
    assert.equal(sha(await readAll(await blobs.get(key))), sha(content));
    assert.equal(session.complete, true);
    assert.deepEqual(session.damaged(), []);
  });

  test('a repair with no peer to fetch from stops on its signal; the pieces stay out of what is served', async (t) => {
    const blobs = new LocalDiskStore(join(dir, 'blobs-alone'));
    const created = await createTorrent(join(dir, 'peer', 'show.bin'), {
      pieceLength: PIECE,
      creationDate: null,
    });
    const meta = parseTorrent(created.torrent);
    const key = 'items/8/files/0';
    const damaged = Buffer.from(content);
    damaged[PIECE]! ^= 1;
    await blobs.put(key, damaged);
    const site = new Engine();
    t.after(() => site.close());
    await site.listen(0);
    const session = await site.add(
      { meta },
      { path: '', storeFor: (m) => new BlobPieceStore(m, blobs, { keys: [key] }) },
    );
    assert.deepEqual(session.damaged(), [1], 'the start-up recheck found it');
    const stop = new AbortController();
    const item = { id: 8, files: [{ blobKey: key, sha256: null }] } as unknown as Item;
    const repair = repairItem(session, item, blobs, [1], { signal: stop.signal });
    stop.abort();
    await assert.rejects(repair, /stopped/);
    assert.equal(session.seedOnly, true);
    assert.equal(session.have!.has(1), false);
    assert.deepEqual(session.damaged(), [1]);
    assert.equal(sha(await readAll(await blobs.get(key))), sha(damaged), 'nothing written');
  });
});
