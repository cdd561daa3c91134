/**
 * Migration 0018 on both databases: items whose licence was stored as an SPDX id, an https and an
 * http Creative Commons URL end up with one canonical id (one facet entry, one filter finding all
 * three); values outside the licence table stay as they were; the text search still finds the items.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { ItemRepository, SearchRepository, UserRepository } from '../catalog/index.js';
import { migrateToLatest } from './index.js';

describeOnEachDatabase('migration 0018_licences', (fresh) => {
  test('rewrites every licence to its canonical id and keeps unknown values', async () => {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const ada = await users.register({ username: 'ada', password: 'password1' });
    const items = new ItemRepository(db);
    const stored = [
      'CC0-1.0',
      'https://creativecommons.org/publicdomain/zero/1.0/',
      'http://creativecommons.org/publicdomain/zero/1.0',
      'https://creativecommons.org/licenses/by-sa/4.0/',
      'cc-by-sa-4.0',
      'https://creativecommons.org/licenses/by/3.0/fr/',
      'Some custom terms',
      null,
    ];
    const ids: number[] = [];
    for (const [n, license] of stored.entries()) {
      const item = await items.create({
        ownerId: ada.id,
        title: `Steam train ${n}`,
        license,
        files: [{ path: `f${n}.bin`, length: 1 }],
        status: 'ready',
      });
      ids.push(item.id);
    }
    const updatedBefore = (await items.get(ids[1]!))!.updatedAt;
    // Run 0018 again as if this database had been made before it existed.
    await sql`delete from kysely_migration where name = '0018_licences'`.execute(db);
    assert.deepEqual(await migrateToLatest(db), ['0018_licences']);

    const after = await Promise.all(ids.map(async (id) => (await items.get(id))!.license));
    assert.deepEqual(after, [
      'CC0-1.0',
      'CC0-1.0',
      'CC0-1.0',
      'CC-BY-SA-4.0',
      'CC-BY-SA-4.0',
      'LicenseRef-CC-BY-3.0-FR',
      'Some custom terms',
      null,
    ]);
    assert.equal((await items.get(ids[1]!))!.updatedAt, updatedBefore, 'the item did not change');

    const search = new SearchRepository(db, items);
    const result = await search.search({});
    assert.deepEqual(
      result.facets.license.find((f) => f.value === 'CC0-1.0'),
      { value: 'CC0-1.0', count: 3, label: 'CC0 1.0' },
    );
    assert.equal(result.facets.license.filter((f) => f.value.includes('zero')).length, 0);
    for (const form of stored.slice(0, 3)) {
      assert.equal((await search.search({ license: form! })).total, 3, form!);
    }
    // The text index (SQLite FTS5 triggers, PostgreSQL's generated tsvector) is intact.
    assert.equal((await search.search({ q: 'steam', license: 'CC0-1.0' })).total, 3);
    assert.equal((await search.search({ q: 'steam' })).total, stored.length);
  });
});
