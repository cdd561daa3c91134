/**
 * Collections on both databases: create with checked fields, owner-only changes, items appended in
 * order (twice is a no-op), reorder only by a permutation, removal, visibility in listings,
 * taken-down and pending items hidden from visitors, and the per-collection item limit.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { CollectionRepository, MAX_COLLECTION_ITEMS } from './collections.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

describeOnEachDatabase('collections', (fresh) => {
  async function setup() {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const ada = await users.register({ username: 'ada', password: 'password1' });
    const bob = await users.register({ username: 'bob', password: 'password1' });
    const items = new ItemRepository(db);
    const make = (title: string, status: 'ready' | 'pending' = 'ready') =>
      items.create({ ownerId: bob.id, title, files: [{ path: `${title}.bin`, length: 1 }], status });
    let clock = 1000;
    return { db, ada, bob, items, make, collections: new CollectionRepository(db, { now: () => clock++ }) };
  }
  const refused =
    (code: 'COLLECTION_INVALID' | 'FORBIDDEN' | 'NOT_FOUND' | 'COLLECTION_FULL', field = '') =>
    (e: unknown) =>
      isSeedcastError(e, code) && e.message.includes(field);

  test('create checks its fields; get and byOwner see it; unlisted ones only for the owner', async () => {
    const { ada, collections } = await setup();
    const mix = await collections.create({ ownerId: ada.id, title: '  Mix  ', description: 'one\r\ntwo' });
    assert.equal(mix.title, 'Mix');
    assert.equal(mix.description, 'one\ntwo');
    assert.equal(mix.visibility, 'public');
    assert.equal(mix.owner, 'ada');
    assert.equal(mix.itemCount, 0);
    const secret = await collections.create({ ownerId: ada.id, title: 'Secret', visibility: 'unlisted' });
    await assert.rejects(
      collections.create({ ownerId: ada.id, title: '  ' }),
      refused('COLLECTION_INVALID', 'title'),
    );
    await assert.rejects(
      collections.create({ ownerId: ada.id, title: 'x'.repeat(201) }),
      refused('COLLECTION_INVALID', 'title'),
    );
    await assert.rejects(
      collections.create({ ownerId: ada.id, title: 'x', visibility: 'private' }),
      refused('COLLECTION_INVALID', 'visibility'),
    );
    await assert.rejects(
      collections.create({ ownerId: ada.id, title: 'x', description: 42 }),
      refused('COLLECTION_INVALID', 'description'),
    );
    assert.deepEqual(
      (await collections.byOwner(ada.id)).map((c) => c.id),
      [mix.id],
    );
    assert.deepEqual(
      (await collections.byOwner(ada.id, { includeUnlisted: true })).map((c) => c.id),
      [secret.id, mix.id],
    );
    assert.equal((await collections.get(secret.id))?.visibility, 'unlisted');
    assert.equal(await collections.get(99_999), undefined);
  });

  test('only the owner changes, removes, adds; update checks fields', async () => {
    const { ada, bob, make, collections } = await setup();
    const one = await make('one');
    const c = await collections.create({ ownerId: ada.id, title: 'Mix' });
    await assert.rejects(collections.update(c.id, { actor: bob, title: 'Mine' }), refused('FORBIDDEN'));
    await assert.rejects(collections.addItem(c.id, { actor: bob, itemId: one.id }), refused('FORBIDDEN'));
    await assert.rejects(collections.remove(c.id, bob), refused('FORBIDDEN'));
    await assert.rejects(collections.update(99_999, { actor: ada, title: 'x' }), refused('NOT_FOUND'));
    await assert.rejects(
      collections.update(c.id, { actor: ada, title: '' }),
      refused('COLLECTION_INVALID', 'title'),
    );
    const updated = await collections.update(c.id, { actor: ada, title: 'Best', visibility: 'unlisted' });
    assert.equal(updated.title, 'Best');
    assert.equal(updated.visibility, 'unlisted');
    assert.ok(updated.updatedAt > c.updatedAt);
    await collections.remove(c.id, ada);
    assert.equal(await collections.get(c.id), undefined);
  });

  test('items: appended in order, twice is a no-op, reorder by permutation, remove', async () => {
    const { ada, make, collections } = await setup();
    const [one, two, three] = [await make('one'), await make('two'), await make('three')];
    const pending = await make('pending', 'pending');
    const c = await collections.create({ ownerId: ada.id, title: 'Mix' });
    const actor = ada;
    assert.deepEqual(await collections.addItem(c.id, { actor, itemId: two.id }), { added: true });
    assert.deepEqual(await collections.addItem(c.id, { actor, itemId: one.id }), { added: true });
    assert.deepEqual(await collections.addItem(c.id, { actor, itemId: two.id }), { added: false });
    await collections.addItem(c.id, { actor, itemId: three.id });
    await assert.rejects(
      collections.addItem(c.id, { actor, itemId: 99_999 }),
      refused('COLLECTION_INVALID', 'item'),
    );
    await assert.rejects(
      collections.addItem(c.id, { actor, itemId: pending.id }),
      refused('COLLECTION_INVALID', 'item'),
    );
    assert.deepEqual(await collections.itemIds(c.id), [two.id, one.id, three.id]);
    assert.equal((await collections.get(c.id))?.itemCount, 3);
    for (const bad of [
      [one.id, two.id],
      [one.id, two.id, two.id],
      [one.id, two.id, 99_999],
      ['1', two.id, three.id],
    ]) {
      await assert.rejects(
        collections.reorder(c.id, { actor, itemIds: bad }),
        refused('COLLECTION_INVALID', 'items'),
      );
    }
    await collections.reorder(c.id, { actor, itemIds: [three.id, one.id, two.id] });
    assert.deepEqual(await collections.itemIds(c.id), [three.id, one.id, two.id]);
    await collections.removeItem(c.id, { actor, itemId: one.id });
    assert.deepEqual(await collections.itemIds(c.id), [three.id, two.id]);
    await assert.rejects(collections.removeItem(c.id, { actor, itemId: one.id }), refused('NOT_FOUND'));
    await collections.addItem(c.id, { actor, itemId: one.id });
    assert.deepEqual(await collections.itemIds(c.id), [three.id, two.id, one.id], 'appended at the end');
  });

  test('taken-down items are hidden and left out of reorders; pending ones only for the owner', async () => {
    const { ada, make, items, collections, db } = await setup();
    const [one, two] = [await make('one'), await make('two')];
    const c = await collections.create({ ownerId: ada.id, title: 'Mix' });
    await collections.addItem(c.id, { actor: ada, itemId: one.id });
    await collections.addItem(c.id, { actor: ada, itemId: two.id });
    await items.takeDown(one.id, 'copyright');
    assert.deepEqual(await collections.itemIds(c.id), [two.id]);
    assert.equal((await collections.get(c.id))?.itemCount, 1);
    await collections.reorder(c.id, { actor: ada, itemIds: [two.id] });
    await db.updateTable('items').set({ status: 'pending' }).where('id', '=', two.id).execute();
    assert.deepEqual(await collections.itemIds(c.id), []);
    assert.deepEqual(await collections.itemIds(c.id, { includePending: true }), [two.id]);
    await db.updateTable('items').set({ status: 'ready' }).where('id', 'in', [one.id, two.id]).execute();
    assert.deepEqual(await collections.itemIds(c.id), [two.id, one.id], 'a restored item comes back last');
  });

  test(`at most ${MAX_COLLECTION_ITEMS} items per collection`, async () => {
    const { ada, make, collections, db } = await setup();
    const item = await make('one');
    const c = await collections.create({ ownerId: ada.id, title: 'Full' });
    // a thousand items inserted in one statement (through the repository it would take long)
    const rows = await db
      .insertInto('items')
      .values(
        Array.from({ length: MAX_COLLECTION_ITEMS }, (_, i) => ({
          owner_id: ada.id,
          channel_id: null,
          title: `i${i}`,
          date: null,
          language: null,
          license: null,
          mime_type: null,
          info_hash: null,
          info_hash_v2: null,
          torrent_key: null,
          piece_length: null,
          duration_ms: null,
          width: null,
          height: null,
          thumbnail_key: null,
          media_checked_at: null,
          status: 'ready' as const,
          created_at: i,
          updated_at: i,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('collection_items')
      .values(rows.map((r, i) => ({ collection_id: c.id, item_id: r.id, position: i, added_at: 0 })))
      .execute();
    assert.equal((await collections.itemIds(c.id)).length, MAX_COLLECTION_ITEMS);
    await assert.rejects(
      collections.addItem(c.id, { actor: ada, itemId: item.id }),
      refused('COLLECTION_FULL'),
    );
  });
});
