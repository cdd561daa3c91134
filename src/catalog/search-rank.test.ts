/**
 * Search ranks, counts and facets every match (issue 22), on both databases: among 1,500 matches
 * of one word, the oldest item, which has it three times in its title, ranks first; totals and
 * facets are exact up to their bounds and honest estimates past them; filters, prefixes, two
 * words and tag listings count every match.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { type Database, MEDIA_TYPES } from '../db/index.js';
import { ItemRepository } from './items.js';
import { SearchRepository } from './search.js';
import { roughly } from './search-stats.js';
import { UserRepository } from './users.js';

const MATCHES = 1_500;

/** 1,500 items with "heron" (the oldest three times in its title) among 1,714 items, in one transaction. */
async function fill(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'ada', password: 'password1' });
  const [birds] = await db.insertInto('tags').values({ name: 'birds' }).returning('id').execute();
  const expected = { type: new Map<string, number>(), birds: 0, grey: 0 };
  let target = 0;
  await db.transaction().execute(async (tx) => {
    let matches = 0;
    for (let n = 0; matches < MATCHES; n++) {
      const heron = n % 8 !== 7;
      const first = n === 0;
      const mediaType = MEDIA_TYPES[n % MEDIA_TYPES.length]!;
      const [row] = await tx
        .insertInto('items')
        .values({
          owner_id: owner.id,
          title: first ? 'Heron, heron, heron' : heron && n % 3 === 0 ? `Heron ${n}` : `Lake ${n}`,
          description: heron && !first && n % 3 !== 0 ? `A grey heron by lake ${n}.` : 'A lake at dawn.',
          creator: `Creator ${n % 5}`,
          license: n % 2 === 0 ? 'CC0-1.0' : 'CC-BY-4.0',
          media_type: mediaType,
          status: 'ready',
          created_at: 1_700_000_000_000 + n,
          updated_at: 1_700_000_000_000 + n,
        })
        .returning('id')
        .execute();
      if (first) target = row!.id;
      if (!heron) continue;
      matches++;
      expected.type.set(mediaType, (expected.type.get(mediaType) ?? 0) + 1);
      if (!first && n % 3 !== 0) expected.grey++;
      if (n % 4 === 0) {
        await tx.insertInto('item_tags').values({ item_id: row!.id, tag_id: birds!.id }).execute();
        expected.birds++;
      }
    }
  });
  return { target, expected, items: new ItemRepository(db) };
}

describeOnEachDatabase('search ranks every match', (fresh) => {
  test('among 1,500 matches the oldest, with the word three times in its title, ranks first', async () => {
    const db = await fresh();
    const { target, expected, items } = await fill(db);
    const search = new SearchRepository(db, items);

    const result = await search.search({ q: 'heron' });
    assert.equal(result.items[0]?.id, target, 'the best match, though the oldest of 1,500');
    assert.deepEqual([result.total, result.totalCapped, result.facetsEstimated], [MATCHES, false, false]);
    assert.deepEqual(await search.ids('heron', 1), [target]);
    const types = new Map(result.facets.type.map((v) => [v.value, v.count]));
    assert.deepEqual(types, expected.type, 'the type facet counts every match');
    assert.deepEqual(
      result.facets.tag.find((v) => v.value === 'birds')?.count,
      expected.birds,
      'the tag facet counts every match',
    );
    assert.deepEqual(
      result.facets.license.map((v) => v.count).reduce((a, b) => a + b, 0),
      MATCHES,
      'licence counts add up to every match',
    );

    const prefix = await search.search({ q: 'hero' });
    assert.deepEqual([prefix.items[0]?.id, prefix.total], [target, MATCHES], 'a prefix ranks every match');
    const type = MEDIA_TYPES[0]!;
    const typed = await search.search({ q: 'heron', type });
    assert.deepEqual([typed.items[0]?.id, typed.total], [target, expected.type.get(type)], 'with a filter');
    const grey = await search.search({ q: 'grey heron' });
    assert.equal(grey.total, expected.grey, 'two words: both must match');
    assert.ok(!grey.items.some((i) => i.id === target));
    const tagged = await search.search({ tags: ['birds'] });
    assert.deepEqual([tagged.total, tagged.totalCapped], [expected.birds, false], 'a tag listing');
    const page = await search.search({ q: 'heron', page: 75, perPage: 20 });
    assert.equal(page.items.length, 20, 'the last page of every match');
  });

  test('past the bounds the total and facets are estimates, and the ranking still reaches every match', async () => {
    const db = await fresh();
    const { target, expected, items } = await fill(db);
    const search = new SearchRepository(db, items, { countBound: 1_000, facetBound: 500 });
    const result = await search.search({ q: 'heron' });
    assert.equal(result.items[0]?.id, target);
    assert.equal(result.totalCapped, true);
    assert.equal(result.facetsEstimated, true);
    assert.ok(
      result.total > 1_000 && Math.abs(result.total - MATCHES) <= MATCHES * 0.2,
      `an estimate near ${MATCHES}: ${result.total}`,
    );
    assert.equal(result.total, roughly(result.total), 'rounded, so it reads as an estimate');
    const typeSum = result.facets.type.reduce((n, v) => n + v.count, 0);
    assert.ok(Math.abs(typeSum - result.total) <= MEDIA_TYPES.length, `scaled facets: ${typeSum}`);
    const typed = await search.search({ q: 'heron', type: MEDIA_TYPES[0]! });
    assert.deepEqual(
      [typed.total, typed.totalCapped, typed.facetsEstimated],
      [expected.type.get(MEDIA_TYPES[0]!), false, false],
      'a filter below the bounds is exact again',
    );
    const listing = await search.search({});
    assert.equal(listing.totalCapped, true);
    assert.ok(Math.abs(listing.total - 1_714) <= 1_714 * 0.05, `listing estimate ${listing.total}`);
  });

  test('past rankBound relevance ranks a bounded candidate set: title matches first', async () => {
    const db = await fresh();
    const { target, items } = await fill(db);
    // About 500 of the 1,500 matches have "heron" in their title: fewer than the bound, all ranked.
    const search = new SearchRepository(db, items, { rankBound: 600 });
    const result = await search.search({ q: 'heron' });
    assert.equal(
      result.items[0]?.id,
      target,
      'the oldest, three times in its title, via the title candidates',
    );
    assert.ok(
      result.items.every((i) => /heron/i.test(i.title)),
      'title candidates come first',
    );
    // With a bound below the title matches, the newest 200 of them are ranked: still title matches.
    const small = await new SearchRepository(db, items, { rankBound: 200 }).search({
      q: 'heron',
      perPage: 100,
    });
    assert.equal(small.rankEstimated, true);
    assert.ok(
      small.items.every((i) => /heron/i.test(i.title) && i.id !== target),
      'the newest title matches',
    );
    assert.deepEqual([result.rankEstimated, result.rankedAmong], [true, 600]);
    assert.deepEqual([result.total, result.totalCapped], [MATCHES, false], 'counting keeps its own bound');
    assert.deepEqual(await search.ids('heron', 1), [target]);
    const prefix = await search.search({ q: 'hero' });
    assert.deepEqual([prefix.items[0]?.id, prefix.rankEstimated], [target, true], 'a prefix');
    const deep = await search.search({ q: 'heron', page: 27, perPage: 20 });
    assert.equal(deep.items.length, 20, 'pages reach past the title candidates into the newest matches');
    const typed = await search.search({ q: 'heron', type: MEDIA_TYPES[0]! });
    assert.equal(typed.items[0]?.id, target, 'with a filter');
    const grey = await search.search({ q: 'grey heron' });
    assert.equal(grey.rankEstimated, true);
    assert.equal(grey.items.length, 20, 'no title holds both words: the newest matches fill the page');
    const newest = await search.search({ q: 'heron', sort: 'newest' });
    assert.equal(newest.rankEstimated, false, 'other sorts do not rank');
    const exact = await new SearchRepository(db, items).search({ q: 'heron' });
    assert.deepEqual([exact.items[0]?.id, exact.rankEstimated], [target, false], 'below the bound: exact');
  });

  test('an estimate reads as one: two significant digits', () => {
    assert.deepEqual([5, 99, 1_234, 15_049, 961_234].map(roughly), [5, 99, 1_200, 15_000, 960_000]);
  });
});
