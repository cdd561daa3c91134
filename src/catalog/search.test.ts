/**
 * Search on both databases: words of the title, description, creator and tags find an item (and
 * keep finding it after edits, tag changes and deletes); hostile text is just words; filters,
 * sorts, pages and facet counts; only ready items are found.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import type { Database } from '../db/index.js';
import { isSeedcastError } from '../errors.js';
import { ChannelRepository } from './channels.js';
import type { NewItemInput } from './item-input.js';
import { ItemRepository } from './items.js';
import { ftsQuery, SearchRepository, searchWords, tsQuery } from './search.js';
import { UserRepository } from './users.js';

let clock = 1_750_000_000_000;

async function setup(db: Database, options: ConstructorParameters<typeof SearchRepository>[2] = {}) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const ada = await users.register({ username: 'Ada', password: 'password1' });
  const bob = await users.register({ username: 'bob', password: 'password1' });
  const items = new ItemRepository(db, { now: () => clock++ });
  const channels = new ChannelRepository(db);
  const search = new SearchRepository(db, items, options);
  let n = 0;
  const add = async (over: Partial<NewItemInput> = {}) => {
    n++;
    const item = await items.create({
      ownerId: ada.id,
      title: `Item ${n}`,
      files: [{ path: `f${n}.bin`, length: 1 }],
      status: 'ready',
      ...over,
    });
    return item;
  };
  return { db, users, ada, bob, items, channels, search, add };
}

const ids = (r: { items: { id: number }[] }) => r.items.map((i) => i.id);

test('user text becomes quoted words only', () => {
  assert.deepEqual(searchWords('Night  "train"*'), { words: ['night', 'train'], prefix: false });
  assert.deepEqual(searchWords('NEAR(a b) OR cd'), { words: ['near', 'a', 'b', 'or', 'cd'], prefix: true });
  assert.equal(searchWords('NEAR(a b) OR c').prefix, false, 'one letter is no prefix');
  assert.deepEqual(searchWords("'; drop table items; --"), {
    words: ['drop', 'table', 'items'],
    prefix: false,
  });
  assert.deepEqual(searchWords('Café tr'), { words: ['café', 'tr'], prefix: true });
  assert.deepEqual(searchWords('***'), { words: [], prefix: false });
  assert.equal(ftsQuery(['near', 'x'], true), '"near" "x"*');
  assert.equal(tsQuery(['a', 'bc'], true), "'a' & 'bc':*");
  assert.equal(searchWords(Array(40).fill('w').join(' ')).words.length, 16);
});

describeOnEachDatabase('search', (fresh) => {
  test('a word of the title, description, creator or a tag finds the item; others do not', async () => {
    const { search, add } = await setup(await fresh());
    const train = await add({
      title: 'Night Train',
      description: 'Steam locomotives crossing the Alps at dusk.',
      creator: 'Marta Kowalska',
      tags: ['Railways', 'documentary film'],
    });
    await add({ title: 'Harbour', description: 'Boats.', creator: 'Someone Else' });
    for (const q of ['night', 'locomotives', 'ALPS', 'kowalska', 'railways', 'documentary', 'night train']) {
      assert.deepEqual(ids(await search.search({ q })), [train.id], q);
    }
    assert.deepEqual(ids(await search.search({ q: 'locomo' })), [train.id], 'prefix on the last word');
    assert.deepEqual(ids(await search.search({ q: 'locomo ' })), [], 'no prefix after a space');
    assert.deepEqual(ids(await search.search({ q: 'night boats' })), [], 'every word must match');
    assert.equal((await search.search({ q: 'submarine' })).total, 0);
  });

  test('hostile text is plain words: no syntax errors, no injection', async () => {
    const { search, add, db } = await setup(await fresh());
    const item = await add({ title: 'Near the sea', description: 'drop anchor' });
    const markup = await add({
      title: '<script>alert(1)</script>',
      description: 'see www.example.org/path/file.ogg or mail@host.test; foo-bar_baz',
    });
    for (const q of ['script', 'alert', 'example', 'path', 'file ogg', 'mail host', 'foo', 'bar', 'baz']) {
      assert.deepEqual(ids(await search.search({ q })), [markup.id], q);
    }
    for (const q of [
      '"',
      '""',
      '*',
      'NEAR(',
      'NEAR(near sea)',
      "'; drop table items; --",
      'title:near',
      '^near',
      'near AND OR NOT',
      '!near & | :*',
      '(((',
      '\u0000near',
      'x'.repeat(500),
    ]) {
      const result = await search.search({ q });
      assert.ok(result.total >= 0, q);
    }
    assert.deepEqual(ids(await search.search({ q: '"near' })), [item.id]);
    assert.deepEqual(ids(await search.search({ q: "'; drop" })), [item.id]);
    assert.deepEqual(ids(await search.search({ q: 'NEAR(' })), [item.id]);
    const count = await db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 2);
    await assert.rejects(search.search({ q: 'x'.repeat(501) }), (e) => isSeedcastError(e, 'SEARCH_INVALID'));
  });

  test('the index follows edits, tag changes, takedowns and deletes', async () => {
    const { search, add, items } = await setup(await fresh());
    const item = await add({ title: 'Quiet morning', tags: ['birds'] });
    assert.deepEqual(ids(await search.search({ q: 'birds' })), [item.id]);
    await items.update(item.id, { title: 'Loud evening', tags: ['frogs', 'ponds'] });
    assert.deepEqual(ids(await search.search({ q: 'quiet' })), []);
    assert.deepEqual(ids(await search.search({ q: 'birds' })), []);
    assert.deepEqual(ids(await search.search({ q: 'loud frogs' })), [item.id]);
    assert.deepEqual(ids(await search.search({ q: 'ponds', tags: ['frogs'] })), [item.id]);
    await items.takeDown(item.id, 'copyright claim');
    assert.deepEqual(ids(await search.search({ q: 'frogs' })), []);
    assert.equal((await search.search({})).total, 0);
    await items.restore(item.id);
    assert.deepEqual(ids(await search.search({ q: 'frogs' })), [item.id]);
    await items.update(item.id, { status: 'pending' });
    assert.deepEqual(ids(await search.search({ q: 'frogs' })), []);
    await items.update(item.id, { status: 'ready' });
    await items.delete(item.id);
    assert.deepEqual(ids(await search.search({ q: 'frogs' })), []);
    const other = await add({ title: 'Frogs again' });
    assert.deepEqual(ids(await search.search({ q: 'frogs' })), [other.id]);
  });

  test('relevance: a title match ranks above a description match', async () => {
    const { search, add } = await setup(await fresh());
    const inDescription = await add({ title: 'Harbour', description: 'A lighthouse, seen from afar.' });
    const inTitle = await add({ title: 'Lighthouse', description: 'Waves.' });
    const inTag = await add({ title: 'Coast', tags: ['lighthouse'] });
    const result = await search.search({ q: 'lighthouse' });
    assert.equal(result.sort, 'relevance');
    assert.deepEqual(ids(result), [inTitle.id, inTag.id, inDescription.id]);
    assert.deepEqual(await search.ids('lighthouse', 10), [inTitle.id, inTag.id, inDescription.id]);
    assert.deepEqual(await search.ids('lighthouse', 1), [inTitle.id]);
    assert.deepEqual(await search.ids('"*', 10), []);
    assert.deepEqual(ids(await search.search({ q: 'lighthouse', sort: 'oldest' })), [
      inDescription.id,
      inTitle.id,
      inTag.id,
    ]);
  });

  test('filters, sorts, pages and facets over the filtered result', async () => {
    const { search, add, bob, channels, ada } = await setup(await fresh());
    const channel = await channels.create({ ownerId: ada.id, slug: 'trains', title: 'Trains' });
    const a = await add({
      title: 'b video',
      mediaType: 'video',
      license: 'CC-BY-4.0',
      creator: 'Ann',
      tags: ['x', 'y'],
    });
    const b = await add({
      title: 'A audio',
      mediaType: 'audio',
      license: 'CC0-1.0',
      creator: 'Ann',
      tags: ['x'],
    });
    const c = await add({
      title: 'c video',
      mediaType: 'video',
      license: 'CC-BY-4.0',
      creator: 'Ben',
      tags: ['y'],
      channelId: channel.id,
      ownerId: bob.id,
    });
    await add({ title: 'hidden video', mediaType: 'video', creator: 'Ann', status: 'pending' });

    const all = await search.search({});
    assert.equal(all.sort, 'newest');
    assert.equal(all.total, 3);
    assert.deepEqual(ids(all), [c.id, b.id, a.id]);
    assert.deepEqual(all.facets.type, [
      { value: 'video', count: 2 },
      { value: 'audio', count: 1 },
    ]);
    assert.deepEqual(all.facets.license, [
      { value: 'CC-BY-4.0', count: 2, label: 'CC BY 4.0' },
      { value: 'CC0-1.0', count: 1, label: 'CC0 1.0' },
    ]);
    assert.deepEqual(all.facets.creator, [
      { value: 'Ann', count: 2 },
      { value: 'Ben', count: 1 },
    ]);
    assert.deepEqual(all.facets.tag, [
      { value: 'x', count: 2 },
      { value: 'y', count: 2 },
    ]);

    const videos = await search.search({ type: 'video' });
    assert.deepEqual(ids(videos), [c.id, a.id]);
    assert.deepEqual(videos.facets.creator, [
      { value: 'Ann', count: 1 },
      { value: 'Ben', count: 1 },
    ]);
    assert.deepEqual(videos.facets.tag, [
      { value: 'y', count: 2 },
      { value: 'x', count: 1 },
    ]);
    assert.deepEqual(
      ids(await search.search({ license: 'cc-by-4.0' })),
      [c.id, a.id],
      'licence canonicalised',
    );
    assert.deepEqual(
      ids(await search.search({ license: 'http://www.creativecommons.org/licenses/by/4.0/deed.fr' })),
      [c.id, a.id],
      'any form of the licence finds its canonical id',
    );
    assert.deepEqual(ids(await search.search({ license: 'nonsense' })), []);
    assert.deepEqual(ids(await search.search({ tags: ['X', 'y'] })), [a.id]);
    assert.deepEqual(ids(await search.search({ tags: ['nope'] })), []);
    assert.deepEqual(ids(await search.search({ creator: 'Ann' })), [b.id, a.id]);
    assert.deepEqual(ids(await search.search({ channel: 'trains' })), [c.id]);
    assert.deepEqual(ids(await search.search({ channel: 'nope' })), []);
    assert.deepEqual(ids(await search.search({ user: 'ada' })), [b.id, a.id]);
    assert.deepEqual(ids(await search.search({ user: 'BOB', q: 'video' })), [c.id]);
    assert.deepEqual(ids(await search.search({ sort: 'title' })), [b.id, a.id, c.id]);
    assert.deepEqual(ids(await search.search({ sort: 'oldest' })), [a.id, b.id, c.id]);

    const page1 = await search.search({ perPage: 2 });
    const page2 = await search.search({ perPage: 2, page: 2 });
    const page3 = await search.search({ perPage: 2, page: 3 });
    assert.deepEqual([ids(page1), ids(page2), ids(page3)], [[c.id, b.id], [a.id], []]);
    assert.equal(page2.total, 3);
    assert.equal(page2.page, 2);
    assert.equal(page1.items[0]!.title, 'c video');
    assert.deepEqual(page1.items[0]!.tags, ['y']);

    for (const q of [{ perPage: 0 }, { perPage: 101 }, { page: 0 }, { page: 1.5 }, { page: 10_000 }]) {
      await assert.rejects(search.search(q), (e) => isSeedcastError(e, 'SEARCH_INVALID'), JSON.stringify(q));
    }
    await assert.rejects(search.search({ sort: 'random' as 'title' }), /sort/);
    await assert.rejects(search.search({ type: 'hologram' as 'video' }), /type/);
  });

  test('facet lists keep the top values; past the bounds totals and facets are estimates', async () => {
    const { search, add } = await setup(await fresh(), { facetSize: 2, facetBound: 3, countBound: 4 });
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await add({ title: i === 0 ? 'Owl owl' : `Bird ${i}`, description: 'owl', creator: `C${i % 2}` }),
      );
    }
    const listing = await search.search({});
    assert.equal(listing.totalCapped, true, 'five matches: past the count bound of four');
    assert.ok(listing.total >= 5, `an estimate of at least the bound + 1: ${listing.total}`);
    assert.equal(listing.facetsEstimated, true);
    assert.equal(listing.facets.creator.length, 2);
    assert.equal(listing.facets.creator[0]!.value, 'C0', 'the newest three (4, 3, 2) hold two C0');
    assert.deepEqual(
      ids(await search.search({ perPage: 5 })),
      made.map((i) => i.id).reverse(),
      'pages go on',
    );
    const ranked = await search.search({ q: 'owl' });
    assert.equal(ranked.totalCapped, true);
    assert.equal(ranked.items[0]!.id, made[0]!.id, 'relevance ranks every match: the oldest is the best');
    assert.deepEqual(
      ids(await search.search({ q: 'owl', sort: 'oldest' })),
      made.map((i) => i.id),
      'id order reaches every match',
    );
    const small = await search.search({ q: 'owl', creator: 'C1' });
    assert.deepEqual([small.total, small.totalCapped, small.facetsEstimated], [2, false, false]);
    const four = await search.search({ q: 'bird' });
    assert.deepEqual(
      [four.total, four.totalCapped, four.facetsEstimated],
      [4, false, true],
      'four matches: counted exactly, facets scaled from the newest three',
    );
    assert.equal(
      four.facets.type.reduce((n, v) => n + v.count, 0),
      4,
      'the scaled type counts add up to the total',
    );
  });

  test('a rare tag among many matches of a word: the same items, counts and order, with other filters too', async () => {
    const { search, add } = await setup(await fresh(), { facetBound: 3, countBound: 6, rankBound: 6 });
    const rare = [];
    for (let i = 0; i < 12; i++) {
      const tagged = i % 5 === 0;
      const item = await add({
        title: i === 5 ? 'Heron heron' : `Marsh ${i}`,
        description: 'heron',
        tags: tagged ? ['rare bird', 'wader'] : ['wader'],
        mediaType: i === 10 ? 'audio' : 'video',
      });
      if (tagged) rare.push(item.id);
    }
    const found = await search.search({ q: 'heron', tags: ['Rare Bird'] });
    assert.deepEqual([found.total, found.totalCapped, found.facetsEstimated], [3, false, false]);
    assert.deepEqual(ids(found), [rare[1]!, rare[2]!, rare[0]!], 'the title match first, then newest');
    assert.deepEqual(
      ids(await search.search({ q: 'heron', tags: ['rare bird'], sort: 'newest' })),
      [...rare].reverse(),
    );
    assert.deepEqual(ids(await search.search({ q: 'heron', tags: ['wader', 'rare bird'], type: 'audio' })), [
      rare[2]!,
    ]);
    assert.deepEqual(ids(await search.search({ q: 'heron', tags: ['rare bird', 'nope'] })), []);
    const all = await search.search({ q: 'heron', tags: ['wader'] });
    assert.deepEqual(
      [all.totalCapped, all.rankEstimated],
      [true, true],
      'twelve matches: past the bounds of six',
    );
    assert.equal(all.items[0]!.id, rare[1], 'the title match is ranked first among many');
  });
});
