import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UploadRepository, UserRepository } from '../catalog/index.js';
import { openDatabase } from '../db/index.js';
import { isSeedcastError } from '../errors.js';
import { LocalDiskStore } from '../storage/index.js';
import { Uploads } from './uploads.js';
import { SharedUploadParts } from './uploads-shared.js';

/** Two "nodes": one database and blob store, each with its own folder of upload files. */
async function twoNodes(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-uploads-shared-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const blobs = new LocalDiskStore(join(dir, 'blobs'));
  t.after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = await new UserRepository(db, { scrypt: { N: 2 ** 10 } }).register({
    username: 'ada',
    password: 'correct horse',
  });
  const node = (name: string) =>
    new Uploads({
      repository: new UploadRepository(db),
      root: join(dir, name),
      shared: new SharedUploadParts(db, blobs),
    });
  return { a: node('a'), b: node('b'), user, dir, blobs };
}

async function* body(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

test('an upload begun on one node is resumed and consumed on another', async (t) => {
  const { a, b, user } = await twoNodes(t);
  const u = await a.create(user.id, { length: 20, metadata: {}, maxBytes: 100 });
  await a.append(user.id, u.id, { offset: 0, body: body('0123456789'), maxBytes: 100 });
  assert.equal((await b.status(user.id, u.id)).offset, 10, 'B sees what A received');
  await b.append(user.id, u.id, { offset: 10, body: body('abcdefghij'), maxBytes: 100 });
  // Back on A, which fetches B's part before it writes or reads.
  const bytes = await a.consume(user.id, u.id, async (_, path) => readFileSync(path, 'utf8'));
  assert.equal(bytes, '0123456789abcdefghij');
  await assert.rejects(b.status(user.id, u.id), (err) => isSeedcastError(err) && err.code === 'NOT_FOUND');
});

test('two nodes continuing from one offset: one commits, the other hears UPLOAD_OFFSET', async (t) => {
  const { a, b, user } = await twoNodes(t);
  const u = await a.create(user.id, { length: 20, metadata: {}, maxBytes: 100 });
  const results = await Promise.allSettled([
    a.append(user.id, u.id, { offset: 0, body: body('AAAAAAAAAA'), maxBytes: 100 }),
    b.append(user.id, u.id, { offset: 0, body: body('BBBBB'), maxBytes: 100 }),
  ]);
  const lost = results.filter((r) => r.status === 'rejected');
  assert.equal(lost.length, 1, 'exactly one PATCH commits');
  assert.ok(isSeedcastError((lost[0] as PromiseRejectedResult).reason));
  assert.equal(((lost[0] as PromiseRejectedResult).reason as { code: string }).code, 'UPLOAD_OFFSET');
  const won = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ offset: number }>)
    .value;
  for (const node of [a, b]) assert.equal((await node.status(user.id, u.id)).offset, won.offset);
  const rest = 'x'.repeat(20 - won.offset);
  await b.append(user.id, u.id, { offset: won.offset, body: body(rest), maxBytes: 100 });
  const text = await a.consume(user.id, u.id, async (_, path) => readFileSync(path, 'utf8'));
  assert.equal(
    text,
    `${won.offset === 10 ? 'AAAAAAAAAA' : 'BBBBB'}${rest}`,
    "the winner's bytes, then the rest",
  );
});
