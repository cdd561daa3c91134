/**
 * The fixity store's contract on both databases: a pass records when and what it read and its
 * damage; a repair takes pieces off the damaged list and marks the item repaired once none is left;
 * the items due are the ready, stored items never checked or checked before the cut-off, least
 * recent first; totals add up for `/metrics`; the row goes with its item.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { ItemRepository, UserRepository } from '../catalog/index.js';
import type { Database } from '../db/index.js';
import { SqlFixityStore } from './fixity-store.js';

async function someItems(db: Database, n: number) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  const items = new ItemRepository(db);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const item = await items.create({
      ownerId: owner.id,
      title: `Item ${i}`,
      files: [{ path: 'a.bin', length: 10, blobKey: `items/${i}/a` }],
    });
    await db
      .updateTable('items')
      .set({ status: 'ready', torrent_key: `items/${i}/t.torrent` })
      .where('id', '=', item.id)
      .execute();
    ids.push(item.id);
  }
  return { items, ids };
}

describeOnEachDatabase('fixity store', (fresh) => {
  test('a pass records its damage; repairs take pieces off until the item is repaired', async () => {
    const db = await fresh();
    const { ids } = await someItems(db, 1);
    const id = ids[0]!;
    const store = new SqlFixityStore(db);
    assert.equal(await store.get(id), undefined);
    const t = 1_732_000_000_000;
    const ok = await store.recordPass(id, { at: t, bytes: 5_000_000_000, files: 2, damaged: [] });
    assert.deepEqual(ok, {
      itemId: id,
      verifiedAt: t,
      bytesChecked: 5_000_000_000,
      filesChecked: 2,
      damaged: [],
      state: 'ok',
      damagedAt: null,
      repairedAt: null,
      error: null,
    });
    const bad = await store.recordPass(id, { at: t + 1, bytes: 10, files: 2, damaged: [9, 3, 3, 4] });
    assert.deepEqual([bad.state, bad.damaged, bad.damagedAt], ['damaged', [3, 4, 9], t + 1]);
    await store.setState(id, 'repairing');
    assert.equal((await store.get(id))?.state, 'repairing');
    await store.setState(id, 'damaged', 'no peer had the pieces');
    assert.deepEqual(
      [(await store.get(id))?.state, (await store.get(id))?.error],
      ['damaged', 'no peer had the pieces'],
    );
    const part = await store.recordRepair(id, { at: t + 2, pieces: [3, 9] });
    assert.deepEqual([part.state, part.damaged, part.repairedAt, part.error], ['damaged', [4], null, null]);
    const whole = await store.recordRepair(id, { at: t + 3, pieces: [4] });
    assert.deepEqual(
      [whole.state, whole.damaged, whole.repairedAt, whole.damagedAt],
      ['repaired', [], t + 3, null],
    );
    assert.deepEqual(
      (await store.notOk(10)).map((r) => r.itemId),
      [id],
    );
    // A later clean pass is `ok` again (and keeps when it was last repaired).
    const again = await store.recordPass(id, { at: t + 4, bytes: 10, files: 2, damaged: [] });
    assert.deepEqual([again.state, again.repairedAt], ['ok', t + 3]);
    assert.deepEqual(await store.notOk(10), []);
    assert.deepEqual(await store.totals(), {
      itemsVerified: 1,
      passes: 3,
      filesVerified: 6,
      bytesVerified: 5_000_000_020,
      damagedPieces: 0,
      damagedItems: 0,
      piecesRepaired: 3,
      lastVerifiedAt: t + 4,
    });
  });

  test('damage found while serving joins the list without a pass, and a repair clears it', async () => {
    const db = await fresh();
    const { ids } = await someItems(db, 2);
    const [a, b] = ids as [number, number];
    const store = new SqlFixityStore(db);
    const t = 1_732_000_000_000;
    // Never checked: a row with the damage and no pass.
    const first = await store.recordFound(a, { at: t, pieces: [7, 2] });
    assert.deepEqual(first, {
      itemId: a,
      verifiedAt: null,
      bytesChecked: 0,
      filesChecked: 0,
      damaged: [2, 7],
      state: 'damaged',
      damagedAt: t,
      repairedAt: null,
      error: null,
    });
    assert.equal(await store.recordFound(a, { at: t + 1, pieces: [2] }).then((r) => r.damagedAt), t);
    // Found while a repair runs: still `repairing`, the piece waits for the next repair.
    await store.setState(a, 'repairing');
    const during = await store.recordFound(a, { at: t + 2, pieces: [5] });
    assert.deepEqual([during.state, during.damaged, during.damagedAt], ['repairing', [2, 5, 7], t]);
    const after = await store.recordRepair(a, { at: t + 3, pieces: [2, 7] });
    assert.deepEqual([after.state, after.damaged], ['damaged', [5]]);
    assert.equal((await store.recordRepair(a, { at: t + 4, pieces: [5] })).state, 'repaired');
    // A checked item keeps its pass; damage after a repair starts a new episode.
    await store.recordPass(b, { at: t, bytes: 100, files: 1, damaged: [] });
    const found = await store.recordFound(b, { at: t + 5, pieces: [0] });
    assert.deepEqual(
      [found.verifiedAt, found.bytesChecked, found.state, found.damagedAt],
      [t, 100, 'damaged', t + 5],
    );
    const again = await store.recordFound(a, { at: t + 6, pieces: [5] });
    assert.deepEqual([again.state, again.damaged, again.damagedAt], ['damaged', [5], t + 6]);
    const totals = await store.totals();
    assert.deepEqual(
      [totals.damagedPieces, totals.damagedItems, totals.itemsVerified, totals.passes],
      [2, 2, 1, 1],
    );
    assert.deepEqual(await store.recordFound(b, { at: t + 7, pieces: [] }).then((r) => r.damaged), [0]);
  });

  test('due: ready items with stored files, never checked first, then the least recent', async () => {
    const db = await fresh();
    const { items, ids } = await someItems(db, 5);
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    const store = new SqlFixityStore(db);
    await store.recordPass(a, { at: 3000, bytes: 1, files: 1, damaged: [] });
    await store.recordPass(b, { at: 1000, bytes: 1, files: 1, damaged: [1] });
    await store.recordPass(c, { at: 9000, bytes: 1, files: 1, damaged: [] });
    // d is not stored (a torrent-only file); e never checked.
    await db.updateTable('item_files').set({ blob_key: null }).where('item_id', '=', d).execute();
    assert.deepEqual(await store.due(5000, 10), [e, b, a]);
    assert.deepEqual(await store.due(5000, 2), [e, b]);
    await db.updateTable('items').set({ status: 'taken_down' }).where('id', '=', e).execute();
    assert.deepEqual(await store.due(5000, 10), [b, a]);
    const totals = await store.totals();
    assert.deepEqual([totals.damagedPieces, totals.damagedItems, totals.itemsVerified], [1, 1, 3]);
    // The row goes with its item; a pass over a deleted item records nothing.
    await items.delete(b);
    assert.equal(await store.get(b), undefined);
    const gone = await store.recordPass(b, { at: 9999, bytes: 1, files: 1, damaged: [2] });
    assert.equal(gone.verifiedAt, null);
    assert.equal(await store.get(b), undefined);
  });
});
