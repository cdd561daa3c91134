/**
 * Finding published content by SHA-256 on both databases (issue 19): any file of a ready or
 * taken-down item matches (the oldest item first, hex in any case); pending items and other
 * content do not; a deleted item no longer does.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import type { Database } from '../db/index.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

async function setup(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  return { items: new ItemRepository(db), ownerId: owner.id };
}

describeOnEachDatabase('item content', (fresh) => {
  test('an item is found by the SHA-256 of any of its files', async () => {
    const { items, ownerId } = await setup(await fresh());
    assert.equal(await items.withContent(A), undefined);
    const pending = await items.create({
      ownerId,
      title: 'Being published',
      status: 'pending',
      files: [{ path: 'a.txt', length: 1, sha256: A }],
    });
    assert.equal(await items.withContent(A), undefined, 'a pending item does not count');
    const first = await items.create({
      ownerId,
      title: 'Two files',
      status: 'ready',
      files: [
        { path: 'x/b.txt', length: 1, sha256: B },
        { path: 'x/a.txt', length: 1, sha256: A },
      ],
    });
    await items.create({
      ownerId,
      title: 'Again',
      status: 'ready',
      files: [{ path: 'a.txt', length: 1, sha256: A }],
    });
    assert.equal((await items.withContent(A.toUpperCase()))?.id, first.id);
    assert.equal((await items.withContent(B))?.title, 'Two files');
    assert.equal(await items.withContent('c'.repeat(64)), undefined);
    await items.takeDown(first.id, 'copyright');
    assert.equal((await items.withContent(B))?.id, first.id, 'a taken-down item still counts');
    await items.delete(first.id);
    await items.delete(pending.id);
    assert.equal((await items.withContent(A))?.title, 'Again');
    assert.equal(await items.withContent(B), undefined);
  });
});
