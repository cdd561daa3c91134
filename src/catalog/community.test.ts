/**
 * Comments, favourites and reports on both databases: threads (a reply must answer a live comment of
 * the same item; newest thread first; a deleted comment with replies stays as a placeholder; levels
 * stop at 5 and pages reach every comment of a deep chain), body limits, one favourite per account
 * and item, reports open until resolved.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { databaseKind } from '../db/index.js';
import { threadComments } from '../db/migrations-moderation.js';
import { isSeedcastError } from '../errors.js';
import { CommunityRepository } from './community.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

describeOnEachDatabase('community', (fresh) => {
  async function setup() {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const ada = await users.register({ username: 'ada', password: 'password1' });
    const bob = await users.register({ username: 'bob', password: 'password1' });
    const items = new ItemRepository(db);
    const make = (title: string) =>
      items.create({ ownerId: ada.id, title, files: [{ path: `${title}.bin`, length: 1 }], status: 'ready' });
    let clock = 1000;
    return { db, ada, bob, items, make, community: new CommunityRepository(db, { now: () => clock++ }) };
  }

  test('comments thread: replies follow their parent; a parent must be of the same item', async () => {
    const { ada, bob, make, community, items } = await setup();
    const one = await make('one');
    const two = await make('two');
    const a = await community.addComment({ itemId: one.id, userId: ada.id, parentId: null, body: ' First ' });
    const b = await community.addComment({ itemId: one.id, userId: bob.id, parentId: null, body: 'Second' });
    const a1 = await community.addComment({
      itemId: one.id,
      userId: bob.id,
      parentId: a.id,
      body: 'Reply\nto first',
    });
    const a11 = await community.addComment({
      itemId: one.id,
      userId: ada.id,
      parentId: a1.id,
      body: 'deeper',
    });
    const page = await community.commentPage(one.id);
    assert.deepEqual(
      page.comments.map((c) => [c.id, c.author, c.body, c.parentId, c.depth, c.level, c.replyTo]),
      [
        [b.id, 'bob', 'Second', null, 0, 0, null],
        [a.id, 'ada', 'First', null, 0, 0, null],
        [a1.id, 'bob', 'Reply\nto first', a.id, 1, 1, 'ada'],
        [a11.id, 'ada', 'deeper', a1.id, 2, 2, 'bob'],
      ],
      'newest thread first, each thread in reply order',
    );
    assert.equal(page.next, null);
    assert.equal(page.total, 4);
    const refused = (field: string) => (e: unknown) =>
      isSeedcastError(e, 'ITEM_INVALID') && e.message.includes(field);
    await assert.rejects(
      community.addComment({ itemId: two.id, userId: ada.id, parentId: a.id, body: 'x' }),
      refused('parent'),
    );
    await assert.rejects(
      community.addComment({ itemId: one.id, userId: ada.id, parentId: 99_999, body: 'x' }),
      refused('parent'),
    );
    await assert.rejects(
      community.addComment({ itemId: one.id, userId: ada.id, parentId: null, body: '  ' }),
      refused('body'),
    );
    await assert.rejects(
      community.addComment({ itemId: one.id, userId: ada.id, parentId: null, body: 'x'.repeat(5001) }),
      refused('body'),
    );
    await assert.rejects(
      community.addComment({ itemId: one.id, userId: ada.id, parentId: null, body: 'bell\u0007' }),
      refused('body'),
    );
    await assert.rejects(
      community.addComment({ itemId: 99_999, userId: ada.id, parentId: null, body: 'x' }),
      (e) => isSeedcastError(e, 'NOT_FOUND'),
    );
    const adaActor = { ...ada, role: 'user' as const };
    await community.removeComment({ itemId: one.id, id: a.id, actor: adaActor });
    assert.deepEqual(
      (await community.commentPage(one.id)).comments.map((c) => [c.id, c.deleted, c.body]),
      [
        [b.id, false, 'Second'],
        [a.id, true, ''],
        [a1.id, false, 'Reply\nto first'],
        [a11.id, false, 'deeper'],
      ],
      'a deleted comment with replies stays as a placeholder',
    );
    await assert.rejects(
      community.addComment({ itemId: one.id, userId: bob.id, parentId: a.id, body: 'x' }),
      refused('parent'),
      'no replies to a deleted comment',
    );
    await community.removeComment({ itemId: one.id, id: a11.id, actor: adaActor });
    assert.equal((await community.commentPage(one.id)).total, 3, 'a leaf goes');
    await assert.rejects(community.removeComment({ itemId: one.id, id: a1.id, actor: adaActor }), (e) =>
      isSeedcastError(e, 'FORBIDDEN'),
    );
    await community.removeComment({ itemId: one.id, id: a1.id, actor: { ...bob, role: 'user' } });
    assert.deepEqual(
      (await community.commentPage(one.id)).comments.map((c) => c.id),
      [b.id],
      'the placeholder left without replies goes with its last reply',
    );
    await items.delete(one.id);
    assert.equal((await community.commentPage(one.id)).total, 0);
  });

  test('a 60-deep chain: levels stop at 5, deeper replies flat in order; pages reach every comment', async () => {
    const { ada, make, community } = await setup();
    const one = await make('deep');
    const chain: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { id } = await community.addComment({
        itemId: one.id,
        userId: ada.id,
        parentId: chain.at(-1) ?? null,
        body: `c${i}`,
      });
      chain.push(id);
    }
    const flat = await community.addComment({ itemId: one.id, userId: ada.id, parentId: null, body: 'late' });
    const seen: { id: number; level: number; depth: number; shownUnder: number | null }[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await community.commentPage(one.id, { after, limit: 7 });
      seen.push(...page.comments);
      after = page.next ?? undefined;
      pages++;
    } while (after !== undefined && pages < 100);
    assert.deepEqual(
      seen.map((c) => c.id),
      [flat.id, ...chain],
    );
    assert.equal(pages, 9);
    assert.deepEqual(
      seen.slice(1, 7).map((c) => [c.depth, c.level]),
      [
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 4],
      ],
    );
    assert.ok(seen.slice(5).every((c) => c.level === 4 && c.shownUnder === chain[3]));
  });

  test('migration 0009 threads the comments written before it', async () => {
    const { db, ada, make, community } = await setup();
    const one = await make('old');
    const insert = (parentId: number | null, at: number) =>
      db
        .insertInto('comments')
        .values({ item_id: one.id, user_id: ada.id, parent_id: parentId, body: `at ${at}`, created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
    const a = await insert(null, 1);
    const b = await insert(null, 2);
    const chain = [a.id];
    for (let i = 0; i < 6; i++) chain.push((await insert(chain.at(-1)!, 10 + i)).id);
    await threadComments(db as never, databaseKind(db));
    const page = await community.commentPage(one.id);
    assert.deepEqual(
      page.comments.map((c) => [c.id, c.rootId, c.depth, c.level]),
      [[b.id, b.id, 0, 0], ...chain.map((id, depth) => [id, a.id, depth, Math.min(depth, 4)])],
    );
  });

  test('favourites: once per account, counted, listed newest first; reports open until resolved', async () => {
    const { ada, bob, make, community, items } = await setup();
    const one = await make('one');
    const two = await make('two');
    await community.setFavourite(bob.id, one.id, true);
    await community.setFavourite(bob.id, one.id, true);
    await community.setFavourite(ada.id, one.id, true);
    await community.setFavourite(bob.id, two.id, true);
    assert.deepEqual(await community.favourites(one.id, bob.id), { count: 2, mine: true });
    assert.deepEqual(await community.favourites(two.id, ada.id), { count: 1, mine: false });
    assert.deepEqual(await community.favourites(two.id, undefined), { count: 1, mine: false });
    assert.deepEqual(await community.favouriteItemIds(bob.id), [two.id, one.id]);
    await items.takeDown(two.id, 'gone');
    assert.deepEqual(await community.favouriteItemIds(bob.id), [one.id], 'only visible items');
    await community.setFavourite(bob.id, one.id, false);
    assert.deepEqual(await community.favourites(one.id, bob.id), { count: 1, mine: false });

    const r1 = await community.fileReport({ itemId: one.id, reporterId: bob.id, reason: 'Spam' });
    await community.report({ itemId: one.id, reporterId: null, reason: 'Not CC' });
    const open = await community.openReports();
    assert.deepEqual(
      open.map((r) => [r.itemTitle, r.reporter, r.reason]),
      [
        ['one', 'bob', 'Spam'],
        ['one', null, 'Not CC'],
      ],
    );
    assert.equal(await community.resolveOpenReport(r1.id), true);
    assert.equal(await community.resolveOpenReport(r1.id), false);
    assert.deepEqual(
      (await community.openReports()).map((r) => r.reason),
      ['Not CC'],
    );
    await assert.rejects(community.report({ itemId: one.id, reporterId: null, reason: '' }), /reason/);
  });
});
