import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UploadRepository, UserRepository } from '../catalog/index.js';
import { openDatabase } from '../db/index.js';
import { isSeedcastError } from '../errors.js';
import { parseUploadChecksum, parseUploadMetadata, Uploads } from './uploads.js';

async function setup(t: { after(fn: () => unknown): void }, now = () => Date.now()) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-uploads-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  t.after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const users = new UserRepository(db, { scrypt: { N: 2 ** 10 } });
  const user = await users.register({ username: 'ada', password: 'correct horse' });
  const root = join(dir, 'uploads');
  const uploads = new Uploads({ repository: new UploadRepository(db), root, ttlMs: 60_000, now });
  return { uploads, user, root, db };
}

async function* chunks(parts: Buffer[], failAfter?: number): AsyncIterable<Uint8Array> {
  let n = 0;
  for (const p of parts) {
    if (failAfter !== undefined && n++ === failAfter)
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    yield p;
  }
}

test('a body cut short keeps the bytes that arrived and advances the offset', async (t) => {
  const { uploads, user, root } = await setup(t);
  const u = await uploads.create(user.id, { length: 30, metadata: {}, maxBytes: 100 });
  await assert.rejects(
    uploads.append(user.id, u.id, {
      offset: 0,
      body: chunks([Buffer.from('0123456789'), Buffer.from('abcdefghij'), Buffer.from('ABCDEFGHIJ')], 2),
      maxBytes: 100,
    }),
    /aborted/,
  );
  assert.equal((await uploads.status(user.id, u.id)).offset, 20);
  assert.equal(readFileSync(join(root, u.id), 'utf8'), '0123456789abcdefghij');
  const done = await uploads.append(user.id, u.id, {
    offset: 20,
    body: chunks([Buffer.from('ABCDEFGHIJ')]),
    maxBytes: 100,
  });
  assert.equal(done.offset, 30);
  assert.ok(done.completedAt);
});

test('after a crash the file wins: bytes on disk past the recorded offset count, an unverified chunk does not', async (t) => {
  const { uploads, user, root } = await setup(t);
  const u = await uploads.create(user.id, { length: 100, metadata: { filename: 'a' }, maxBytes: 1000 });
  await uploads.append(user.id, u.id, { offset: 0, body: chunks([Buffer.alloc(10, 1)]), maxBytes: 1000 });
  // what a kill -9 mid-PATCH leaves: bytes written, the row not updated
  appendFileSync(join(root, u.id), Buffer.alloc(15, 2));
  assert.equal((await uploads.status(user.id, u.id)).offset, 25);
  // a checksummed chunk cut by a crash: the marker says where it began, and it is cut away
  writeFileSync(join(root, `${u.id}.verify`), '25');
  appendFileSync(join(root, u.id), Buffer.alloc(30, 3));
  assert.equal((await uploads.status(user.id, u.id)).offset, 25);
  assert.equal(statSync(join(root, u.id)).size, 25);
  // a file longer than the declared length is cut to it
  appendFileSync(join(root, u.id), Buffer.alloc(200, 4));
  const s = await uploads.status(user.id, u.id);
  assert.equal(s.offset, 100);
  assert.ok(s.completedAt, 'complete once the file holds every byte');
});

test('concurrent requests on one upload wait for each other; consume removes only on success', async (t) => {
  const { uploads, user, root } = await setup(t);
  const u = await uploads.create(user.id, { length: 4, metadata: {}, maxBytes: 100 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  async function* slow() {
    yield Buffer.from('ab');
    await gate;
    yield Buffer.from('cd');
  }
  const writing = uploads.append(user.id, u.id, { offset: 0, body: slow(), maxBytes: 100 });
  const status = uploads.status(user.id, u.id);
  setTimeout(release, 50);
  assert.equal((await status).offset, 4, 'HEAD waited for the PATCH in progress');
  await writing;
  await assert.rejects(
    uploads.consume(user.id, u.id, async () => {
      throw new Error('publish failed');
    }),
    /publish failed/,
  );
  assert.equal(readFileSync(join(root, u.id), 'utf8'), 'abcd', 'a failed use keeps the upload');
  assert.equal(await uploads.consume(user.id, u.id, async (_u, path) => readFileSync(path, 'utf8')), 'abcd');
  await assert.rejects(uploads.status(user.id, u.id), (e) => isSeedcastError(e, 'NOT_FOUND'));
  await assert.rejects(
    uploads.consume(user.id, u.id, async () => 1),
    (e) => isSeedcastError(e, 'ITEM_INVALID'),
  );
});

test('an unfinished upload cannot be consumed; an orphan file is swept after an hour', async (t) => {
  let clock = Date.now();
  const { uploads, user, root } = await setup(t, () => clock);
  const u = await uploads.create(user.id, { length: null, metadata: {}, maxBytes: 100 });
  await assert.rejects(
    uploads.consume(user.id, u.id, async () => 1),
    (e) => isSeedcastError(e, 'ITEM_INVALID') && /not finished/.test(e.message),
  );
  writeFileSync(join(root, 'f'.repeat(32)), 'left by a crash between file and row');
  clock += 2 * 3_600_000;
  assert.equal(await uploads.sweep(), 2, 'the expired upload and the orphan');
  assert.throws(() => statSync(join(root, 'f'.repeat(32))));
});

test('Upload-Metadata and Upload-Checksum parsing', () => {
  assert.deepEqual(parseUploadMetadata('filename bmFtZS50eHQ=,is_confidential'), {
    filename: 'name.txt',
    is_confidential: '',
  });
  assert.deepEqual(parseUploadMetadata(undefined), {});
  for (const bad of ['a b c', 'a !!!', 'a YQ==,a YQ==', ' ,x'])
    assert.throws(
      () => parseUploadMetadata(bad),
      (e) => isSeedcastError(e, 'UPLOAD_INVALID'),
      bad,
    );
  assert.equal(parseUploadChecksum('sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=')?.algorithm, 'sha1');
  assert.throws(
    () => parseUploadChecksum('crc32 AAAA'),
    (e) => isSeedcastError(e, 'UPLOAD_CHECKSUM_ALGORITHM'),
  );
  assert.throws(
    () => parseUploadChecksum('sha1'),
    (e) => isSeedcastError(e, 'UPLOAD_INVALID'),
  );
});
