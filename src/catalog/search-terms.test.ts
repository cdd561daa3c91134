/**
 * Filter terms in SQLite's full-text index (issue 22, migration `0024_search_index`): a word with
 * filters is one FTS5 query, and the terms follow the item (type, licence, creator, owner, tags
 * changed after publishing); what people type never reaches a filter term; values are matched
 * whole (case, spaces and non-ASCII creators), as the PostgreSQL filters match them.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { FILTER_MARK, openDatabase } from '../db/index.js';
import { ItemRepository } from './items.js';
import { SearchRepository } from './search.js';
import { filterTerm } from './search-terms.js';
import { UserRepository } from './users.js';

test('filter terms are one quoted term per value, hex for text', () => {
  assert.equal(filterTerm('type', 'video'), `"${FILTER_MARK}tvideo"`);
  assert.equal(filterTerm('creator', 'Zoë A'), `"${FILTER_MARK}c5a6fc3ab2041"`);
  assert.equal(filterTerm('tag', 12), `"${FILTER_MARK}g12"`);
  assert.equal(filterTerm('channel', undefined), `"${FILTER_MARK}none"`);
});

test('a word with filters finds exactly the items whose values match, and follows changes', async () => {
  const db = await openDatabase({ sqlite: ':memory:' });
  try {
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const ada = await users.register({ username: 'Ada', password: 'password1' });
    const bob = await users.register({ username: 'bob', password: 'password1' });
    const items = new ItemRepository(db);
    const search = new SearchRepository(db, items);
    const add = (over: Record<string, unknown>) =>
      items.create({
        ownerId: ada.id,
        title: 'Heron',
        files: [{ path: 'a.bin', length: 1 }],
        status: 'ready',
        ...over,
      });
    const a = await add({ creator: 'Zoë A', mediaType: 'video', license: 'CC0-1.0', tags: ['wading birds'] });
    const b = await add({ creator: 'zoë a', mediaType: 'audio', license: 'CC-BY-4.0', tags: ['wading'] });
    const c = await add({ creator: 'Zoë', ownerId: bob.id, tags: ['birds'] });
    const ids = async (q: Parameters<SearchRepository['search']>[0]) =>
      (await search.search(q)).items.map((i) => i.id).sort((x, y) => x - y);

    assert.deepEqual(await ids({ q: 'heron', creator: 'Zoë A' }), [a.id], 'creator: whole value, case kept');
    assert.deepEqual(await ids({ q: 'heron', creator: 'Zoë' }), [c.id]);
    assert.deepEqual(await ids({ q: 'heron', type: 'audio' }), [b.id]);
    assert.deepEqual(await ids({ q: 'heron', license: 'cc0-1.0' }), [a.id], 'any form of the licence');
    assert.deepEqual(
      await ids({ q: 'heron', tags: ['Wading Birds'] }),
      [a.id],
      'a tag with a space is one term',
    );
    assert.deepEqual(await ids({ q: 'heron', tags: ['wading'] }), [b.id]);
    assert.deepEqual(await ids({ q: 'heron', user: 'BOB' }), [c.id]);
    assert.deepEqual(await ids({ q: 'heron', user: 'nobody' }), []);
    assert.deepEqual(await ids({ q: 'heron', tags: ['nope'] }), []);
    assert.deepEqual(await ids({ tags: ['birds'] }), [c.id], 'a tag listing');
    assert.equal((await search.search({ tags: ['birds'] })).total, 1);

    // Typed text never reaches a filter term, whatever it holds.
    for (const q of ['tvideo', `${FILTER_MARK}tvideo`, 'g1', `"${FILTER_MARK}g1"`, 'tvid'])
      assert.deepEqual(await ids({ q }), [], q);

    // The terms follow the item: type and licence edited, tags changed, taken down.
    await items.update(b.id, { mediaType: 'video', license: 'CC0-1.0' });
    assert.deepEqual(await ids({ q: 'heron', type: 'video', license: 'CC0-1.0' }), [a.id, b.id]);
    assert.deepEqual(await ids({ q: 'heron', type: 'audio' }), []);
    await sql`delete from item_tags where item_id = ${a.id}`.execute(db);
    assert.deepEqual(await ids({ q: 'heron', tags: ['wading birds'] }), []);
    const [tag] = await db.selectFrom('tags').select('id').where('name', '=', 'birds').execute();
    await db.insertInto('item_tags').values({ item_id: a.id, tag_id: tag!.id }).execute();
    assert.deepEqual(await ids({ q: 'heron', tags: ['birds'] }), [a.id, c.id]);
    const facets = (await search.search({ q: 'heron' })).facets;
    assert.deepEqual(
      facets.tag.map((t) => [t.value, t.count]),
      [
        ['birds', 2],
        ['wading', 1],
      ],
    );
    await items.takeDown(c.id, 'test');
    assert.deepEqual(await ids({ q: 'heron', tags: ['birds'] }), [a.id]);
    const check = await sql`insert into items_fts(items_fts, rank) values ('integrity-check', 0)`.execute(db);
    assert.ok(check);
  } finally {
    await db.destroy();
  }
});
