/**
 * Clean-up after a crash (`recover.ts`): abandoned pending items and draft blobs no item uses are
 * removed, and nothing else.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

test('abandoned pending items are removed with their blobs; recent ones and ready ones stay', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openDatabase } = await import('../db/index.js');
  const { ItemRepository, UserRepository } = await import('../catalog/index.js');
  const { LocalDiskStore, readAll } = await import('../storage/index.js');
  const { removeAbandonedItems } = await import('./recover.js');
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-recover-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const blobs = new LocalDiskStore(join(dir, 'blobs'));
  t.after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const owner = await new UserRepository(db, { scrypt: { N: 2 ** 10 } }).register({
    username: 'ada',
    password: 'correct horse',
  });
  let clock = 1_000_000_000;
  const items = new ItemRepository(db, { now: () => clock });
  const make = async (status: 'pending' | 'ready', key: string) => {
    await blobs.put(key, Buffer.from(key));
    return items.create({
      ownerId: owner.id,
      title: key,
      status,
      files: [{ path: 'a', length: key.length, blobKey: key }],
    });
  };
  const old = await make('pending', 'files/old/0');
  const done = await make('ready', 'files/done/0');
  clock += 2 * 3_600_000;
  const young = await make('pending', 'files/young/0');
  assert.equal(await removeAbandonedItems(items, blobs, { now: () => clock }), 1);
  assert.equal(await items.get(old.id), undefined);
  assert.equal(await blobs.head('files/old/0'), undefined, 'its blob is gone');
  assert.ok(await items.get(done.id));
  assert.ok(await items.get(young.id), 'a publish under way elsewhere is left alone');
  assert.equal((await readAll(await blobs.get('files/young/0'))).toString(), 'files/young/0');
});

test('draft file blobs no item uses are removed once old; used, young and archived blobs stay', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openDatabase } = await import('../db/index.js');
  const { ItemRepository, UserRepository } = await import('../catalog/index.js');
  const { LocalDiskStore } = await import('../storage/index.js');
  const { removeOrphanDraftBlobs } = await import('./recover.js');
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-orphans-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const blobs = new LocalDiskStore(join(dir, 'blobs'));
  t.after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const owner = await new UserRepository(db, { scrypt: { N: 2 ** 10 } }).register({
    username: 'ada',
    password: 'correct horse',
  });
  const items = new ItemRepository(db);
  const used = `files/${'a'.repeat(24)}/0`;
  const orphan = `files/${'b'.repeat(24)}/0`;
  const archived = 'files/7/0';
  for (const key of [used, orphan, archived]) await blobs.put(key, Buffer.from(key));
  await items.create({
    ownerId: owner.id,
    title: 'x',
    status: 'ready',
    files: [{ path: 'a', length: 1, blobKey: used }],
  });
  assert.equal(
    await removeOrphanDraftBlobs(items, blobs),
    0,
    'young blobs stay (an upload may be under way)',
  );
  const later = () => Date.now() + 2 * 3_600_000;
  assert.equal(await removeOrphanDraftBlobs(items, blobs, { now: later }), 1);
  assert.equal(await blobs.head(orphan), undefined, 'the orphan is gone');
  assert.ok(await blobs.head(used), 'a blob an item uses stays');
  assert.ok(await blobs.head(archived), 'archived files (keyed by item id) are not drafts');
});
