/**
 * The blob store contract against local disk, plus what only a disk has: temporary files, folders,
 * links an attacker could plant, and the promise that nothing is written outside the root.
 */

import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/helpers/tools.js';
import { isSeedcastError } from '../errors.js';
import { readAll } from './blob-store.js';
import { storeContract } from './contract.js';
import { LocalDiskStore } from './local-disk.js';

let dir = '';
let n = 0;

storeContract('local disk', {
  largeSize: 12 * 1024 * 1024 + 17,
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'seedcast-blobs-'));
  },
  async make() {
    return new LocalDiskStore(join(dir, `store-${++n}`));
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});

/** Every file under `folder`, as relative paths. */
function filesUnder(folder: string): string[] {
  return (readdirSync(folder, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1))
    .sort();
}

describe('LocalDiskStore on disk', () => {
  test('blobs are files under the root; failed puts leave no temporary file', async (t) => {
    const root = join(tempDir(t), 'blobs');
    const store = new LocalDiskStore(root);
    await store.put('items/7/files/0', Buffer.from('abc'));
    await assert.rejects(store.put('items/7/files/1', Buffer.from('abc'), { size: 4 }));
    await assert.rejects(
      store.put(
        'items/7/files/2',
        Readable.from(
          (async function* () {
            yield Buffer.from('partial');
            throw new Error('cut');
          })(),
        ),
      ),
    );
    assert.deepEqual(filesUnder(root), ['items/7/files/0']);
  });

  test('sweepTemporary removes what a killed put left behind, and nothing else', async (t) => {
    const root = join(tempDir(t), 'blobs');
    const store = new LocalDiskStore(root);
    await store.put('kept/blob', Buffer.from('kept'));
    mkdirSync(join(root, '.tmp'), { recursive: true });
    writeFileSync(join(root, '.tmp', 'stale'), 'half an upload');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(root, '.tmp', 'stale'), old, old);
    writeFileSync(join(root, '.tmp', 'in-flight'), 'a put in progress');
    assert.equal(await store.sweepTemporary(), 1);
    assert.deepEqual(readdirSync(join(root, '.tmp')), ['in-flight']);
    assert.equal((await readAll(await store.get('kept/blob'))).toString(), 'kept');
  });

  test('deleting the last blob of a folder removes the emptied folders', async (t) => {
    const root = join(tempDir(t), 'blobs');
    const store = new LocalDiskStore(root);
    await store.put('a/b/c/d', Buffer.from('1'));
    await store.put('a/keep', Buffer.from('2'));
    await store.delete('a/b/c/d');
    assert.ok(!existsSync(join(root, 'a', 'b')));
    assert.ok(existsSync(join(root, 'a', 'keep')));
  });

  test('a folder linked outside the root is neither written nor read through', async (t) => {
    const base = tempDir(t);
    const root = join(base, 'blobs');
    const outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'do not serve');
    symlinkSync(outside, join(root, 'items'));
    symlinkSync(join(outside, 'secret'), join(root, 'direct'));
    const store = new LocalDiskStore(root);
    const invalid = (err: unknown) => isSeedcastError(err, 'STORAGE_KEY_INVALID');
    await assert.rejects(store.put('items/planted', Buffer.from('x')), invalid);
    await assert.rejects(store.get('items/secret'), invalid);
    await assert.rejects(store.delete('items/secret'), invalid);
    await assert.rejects(store.get('direct'), (err) => isSeedcastError(err, 'STORAGE_NOT_FOUND'));
    assert.equal(await store.head('direct'), undefined);
    await assert.rejects(store.localPath('items/secret'), invalid);
    await assert.rejects(store.localPath('direct'), (err) => isSeedcastError(err, 'STORAGE_NOT_FOUND'));
    assert.deepEqual(readdirSync(outside), ['secret']);
  });

  test('localPath gives the file of a stored blob, and nothing for a missing one', async (t) => {
    const store = new LocalDiskStore(join(tempDir(t), 'blobs'));
    await store.put('items/1/files/0', Buffer.from('bytes'));
    assert.equal(readFileSync(await store.localPath('items/1/files/0'), 'utf8'), 'bytes');
    await assert.rejects(store.localPath('items/1/files/1'), (err) =>
      isSeedcastError(err, 'STORAGE_NOT_FOUND'),
    );
    await assert.rejects(store.localPath('../x'), (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'));
  });

  test('a key under an existing blob, or a blob over a folder, is a typed error', async (t) => {
    const store = new LocalDiskStore(join(tempDir(t), 'blobs'));
    await store.put('x/file', Buffer.from('1'));
    await assert.rejects(store.put('x/file/under', Buffer.from('2')), (err) =>
      isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
    await assert.rejects(store.put('x', Buffer.from('3')), (err) =>
      isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
    assert.equal((await readAll(await store.get('x/file'))).toString(), '1');
  });
});
