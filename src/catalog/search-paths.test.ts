/**
 * SQLite search gives the same answers with the search extension (`native/sqlite_search.c`, bm25
 * from FTS5's position lists in the walk) and without it (bm25 in JavaScript from the rows' text):
 * the same pages in the same order, totals and facets, below the bounds and past them (the title
 * tier), with words, prefixes, two words and filters. One catalog file, two connections.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers/tools.js';
import { hasSearchExtension, MEDIA_TYPES, openDatabase } from '../db/index.js';
import { ItemRepository } from './items.js';
import { type SearchQuery, SearchRepository } from './search.js';
import { scoredBy } from './search-bound.js';
import { UserRepository } from './users.js';

const WORDS = ['heron', 'lake', 'reed', 'dawn', 'grey', 'café', 'herald', 'wing'];

test('search answers the same with and without the search extension', async (t) => {
  const path = join(tempDir(t), 'catalog.db');
  const db = await openDatabase({ sqlite: path });
  const plain = await openDatabase({ sqlite: path }, { searchExtension: false });
  t.after(() => Promise.all([db.destroy(), plain.destroy()]));
  if (!hasSearchExtension(db)) {
    const why = 'the search extension is not built (npm run build:native)';
    if (process.env.CI === 'true') throw new Error(why);
    process.stderr.write(`\n*** SKIPPED "${t.name}": ${why} ***\n\n`);
    return t.skip(why);
  }
  assert.equal(hasSearchExtension(plain), false);
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'ada', password: 'password1' });
  const items = new ItemRepository(db);
  const tags = await db
    .insertInto('tags')
    .values([{ name: 'birds' }, { name: 'water' }])
    .returning('id')
    .execute();
  let seed = 7;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return WORDS[(seed >> 16) % WORDS.length]!;
  };
  await db.transaction().execute(async (tx) => {
    for (let n = 0; n < 240; n++) {
      const [row] = await tx
        .insertInto('items')
        .values({
          owner_id: owner.id,
          title: `${pick()} ${pick()}${n % 5 === 0 ? ` ${pick()}` : ''}`,
          description: Array.from({ length: 6 + (n % 7) }, pick).join(' '),
          creator: `Creator ${n % 4}`,
          license: n % 2 === 0 ? 'CC0-1.0' : 'CC-BY-4.0',
          media_type: MEDIA_TYPES[n % MEDIA_TYPES.length]!,
          status: 'ready',
          created_at: 1_700_000_000_000 + n,
          updated_at: 1_700_000_000_000 + n,
        })
        .returning('id')
        .execute();
      if (n % 3 === 0)
        await tx
          .insertInto('item_tags')
          .values({ item_id: row!.id, tag_id: tags[n % 2]!.id })
          .execute();
    }
  });
  const queries: SearchQuery[] = [
    { q: 'heron' },
    { q: 'grey heron' },
    { q: 'her' },
    { q: 'cafe lake' },
    { q: 'wing', type: MEDIA_TYPES[1] },
    { q: 'reed', tags: ['birds'], license: 'CC0-1.0' },
    { q: 'dawn', creator: 'Creator 2', page: 2, perPage: 5 },
  ];
  // Small bounds: most queries rank over the title tier and estimate their totals and facets.
  for (const bounds of [{}, { rankBound: 30, countBound: 40, facetBound: 40 }]) {
    const native = new SearchRepository(db, items, bounds);
    const js = new SearchRepository(plain, new ItemRepository(plain), bounds);
    for (const query of queries) {
      const before = { ...scoredBy };
      const a = await native.search(query);
      assert.equal(scoredBy.extension, before.extension + 1, 'ranked by the extension');
      const b = await js.search(query);
      assert.equal(scoredBy.javascript, before.javascript + 1, 'ranked in JavaScript');
      const what = `${JSON.stringify(query)} ${JSON.stringify(bounds)}`;
      assert.ok(b.items.length > 0, `${what}: something matches`);
      assert.deepEqual(
        a.items.map((i) => i.id),
        b.items.map((i) => i.id),
        what,
      );
      assert.deepEqual(
        { ...a, items: undefined, moments: [...a.moments] },
        { ...b, items: undefined, moments: [...b.moments] },
        what,
      );
      assert.deepEqual(await native.ids(query.q!, 10), await js.ids(query.q!, 10), what);
    }
    if ('rankBound' in bounds) assert.ok((await native.search({ q: 'heron' })).rankEstimated);
  }
});
