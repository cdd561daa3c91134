/**
 * Derivatives on both databases: rows recorded per item and path (a retry replaces, a deleted item
 * refuses), processing state with progress and error, the derivatives torrent found by its hashes,
 * originals' integrity, the catch-up's never-processed items, and everything gone with the item.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import type { Database } from '../db/index.js';
import { isSeedcastError } from '../errors.js';
import { DerivativeRepository } from './derivatives.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

async function setup(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  const items = new ItemRepository(db);
  const item = await items.create({
    ownerId: owner.id,
    title: 'Clip',
    status: 'ready',
    files: [{ path: 'clip.avi', length: 1000, blobKey: 'files/x/0' }],
  });
  return { items, item, derivatives: new DerivativeRepository(db, { now: () => 1_750_000_000_000 }) };
}

const mp4 = (itemId: number, over = {}) => ({
  itemId,
  kind: 'video',
  label: '360p',
  path: '360p.mp4',
  mime: 'video/mp4',
  width: 640,
  height: 360,
  bitrate: 800_000,
  durationMs: 2000,
  length: 12345,
  blobKey: `items/${itemId}/derivatives/360p.mp4`,
  integrity: `sha384-${'A'.repeat(64)}`,
  ...over,
});

describeOnEachDatabase('derivatives', (fresh) => {
  test('derivatives are recorded per item and path; a retry replaces the row', async () => {
    const { item, derivatives } = await setup(await fresh());
    assert.equal(await derivatives.add(mp4(item.id)), true);
    assert.equal(
      await derivatives.add(mp4(item.id, { path: 'poster.jpg', kind: 'poster', mime: 'image/jpeg' })),
      true,
    );
    assert.equal(await derivatives.add(mp4(item.id, { length: 999 })), true);
    const list = await derivatives.list(item.id);
    assert.deepEqual(
      list.map((d) => [d.path, d.kind, d.length, d.width, d.durationMs]),
      [
        ['360p.mp4', 'video', 999, 640, 2000],
        ['poster.jpg', 'poster', 12345, 640, 2000],
      ],
    );
    assert.equal(list[0]!.createdAt, 1_750_000_000_000);
    assert.deepEqual([...(await derivatives.listMany([item.id, item.id + 99])).keys()], [item.id]);
    await assert.rejects(derivatives.add(mp4(item.id, { path: '../x' })), (e) =>
      isSeedcastError(e, 'ITEM_INVALID'),
    );
    assert.equal(await derivatives.add(mp4(item.id + 99)), false);
  });

  test('processing state, progress and error are kept on the item', async () => {
    const { item, derivatives } = await setup(await fresh());
    assert.deepEqual(await derivatives.processing(item.id), {
      itemId: item.id,
      state: null,
      progress: null,
      error: null,
      torrent: null,
    });
    await derivatives.setProcessing(item.id, 'queued');
    await derivatives.setProgress(item.id, 0.5); // not running: ignored
    assert.equal((await derivatives.processing(item.id))?.progress, null);
    await derivatives.setProcessing(item.id, 'running', { progress: 0 });
    await derivatives.setProgress(item.id, 0.25);
    assert.equal((await derivatives.processing(item.id))?.progress, 0.25);
    await derivatives.setProcessing(item.id, 'failed', { error: 'ffmpeg: invalid data' });
    const p = await derivatives.processing(item.id);
    assert.equal(p?.state, 'failed');
    assert.equal(p?.error, 'ffmpeg: invalid data');
    assert.equal(p?.progress, null);
  });

  test('the derivatives torrent is found by its hashes, listed while ready, and cleared', async () => {
    const { items, item, derivatives } = await setup(await fresh());
    await derivatives.add(mp4(item.id));
    const v1 = 'c'.repeat(40);
    const v2 = `${'d'.repeat(40)}${'e'.repeat(24)}`;
    const torrentKey = `items/${item.id}/derivatives.torrent`;
    assert.equal(await derivatives.setTorrent(item.id, { infoHash: v1, infoHashV2: v2, torrentKey }), true);
    assert.deepEqual(await derivatives.torrent(item.id), {
      itemId: item.id,
      infoHash: v1,
      infoHashV2: v2,
      torrentKey,
    });
    assert.equal(await derivatives.itemOfInfoHash(v1.toUpperCase()), item.id);
    assert.equal(await derivatives.itemOfInfoHash(v2), item.id);
    assert.equal(await derivatives.itemOfInfoHash(v2.slice(0, 40)), item.id);
    assert.equal(await derivatives.itemOfInfoHash('f'.repeat(40)), undefined);
    assert.deepEqual(
      (await derivatives.torrents()).map((t) => t.itemId),
      [item.id],
    );
    await items.takeDown(item.id, 'legal');
    assert.deepEqual(await derivatives.torrents(), []);
    const keys = await derivatives.clear(item.id);
    assert.deepEqual(keys.sort(), [torrentKey, `items/${item.id}/derivatives/360p.mp4`].sort());
    assert.deepEqual(await derivatives.list(item.id), []);
    assert.equal(await derivatives.torrent(item.id), undefined);
  });

  test("originals' integrity is kept on their files; rows go with the item", async () => {
    const { items, item, derivatives } = await setup(await fresh());
    const sri = `sha384-${'Zm9v'.repeat(16)}`;
    await derivatives.setFileIntegrity(item.id, 0, sri);
    assert.equal((await items.get(item.id))?.files[0]?.integrity, sri);
    await assert.rejects(derivatives.setFileIntegrity(item.id, 0, 'md5-x'), (e) =>
      isSeedcastError(e, 'ITEM_INVALID'),
    );
    await derivatives.add(mp4(item.id));
    await items.delete(item.id);
    assert.deepEqual(await derivatives.list(item.id), []);
  });

  test('never-processed items are the ready ones with every file stored and nothing queued', async () => {
    const { items, item, derivatives } = await setup(await fresh());
    const other = await items.create({
      ownerId: item.ownerId,
      title: 'Torrent only',
      status: 'ready',
      torrentOnly: true,
      files: [{ path: 'a.mp3', length: 10, blobKey: null }],
    });
    assert.deepEqual(await derivatives.neverProcessed(), [item.id]);
    await derivatives.setProcessing(item.id, 'queued');
    assert.deepEqual(await derivatives.neverProcessed(), []);
    assert.ok(other.id > item.id);
  });
});
