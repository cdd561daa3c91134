/**
 * The publishing helpers on their own (licences: `src/licenses.test.ts`): uploaded file
 * names made safe and unique, and content types that never turn an upload into a page.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTypeOf, mediaTypeOf } from '../media/content-types.js';
import { safeFileName, uniqueNames } from './filenames.js';

test('file names: last component only, no hidden files, no control characters, bounded, unique', () => {
  assert.equal(safeFileName('../../etc/passwd', 0), 'passwd');
  assert.equal(safeFileName('C:\\Users\\x\\clip.mp4', 0), 'clip.mp4');
  assert.equal(safeFileName('/abs/path/', 3), 'file-4');
  assert.equal(safeFileName('..', 1), 'file-2');
  assert.equal(safeFileName('.bashrc', 0), '_bashrc');
  assert.equal(safeFileName('a\u0000b\u001bc.txt', 0), 'abc.txt');
  assert.equal(safeFileName(undefined, 0), 'file-1');
  assert.equal(safeFileName('CON', 0), 'file-1', 'reserved device names are refused by the torrent rules');
  const long = safeFileName(`${'é'.repeat(300)}.flac`, 0);
  assert.ok(Buffer.byteLength(long) <= 200 && long.endsWith('.flac'), long);
  assert.deepEqual(uniqueNames(['a.mp3', 'A.mp3', 'a.mp3', 'b']), ['a.mp3', 'A (2).mp3', 'a (3).mp3', 'b']);
});

test('content types: media inline, anything that could run on the origin as a download', () => {
  assert.equal(contentTypeOf('x/clip.MP4'), 'video/mp4');
  assert.equal(contentTypeOf('song.ogg'), 'audio/ogg');
  for (const risky of ['page.html', 'image.svg', 'script.js', 'noext', 'x.htm', 'x.xhtml'])
    assert.equal(contentTypeOf(risky), 'application/octet-stream', risky);
  assert.equal(
    mediaTypeOf([
      { path: 'notes.txt', length: 10 },
      { path: 'talk.webm', length: 1000 },
    ]),
    'video',
  );
  assert.equal(mediaTypeOf([{ path: 'a.bin', length: 10 }]), 'other');
});

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
