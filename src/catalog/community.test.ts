/**
 * Comments, favourites and reports on both databases: threads (a reply must answer a comment of the
 * same item; deleting a comment deletes its replies), body limits, one favourite per account and
 * item, reports open until resolved.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { CommunityRepository, threadOrder } from './community.js';
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
    const list = await community.comments(one.id);
    assert.deepEqual(
      list.map((c) => [c.id, c.author, c.body, c.parentId]),
      [
        [a.id, 'ada', 'First', null],
        [b.id, 'bob', 'Second', null],
        [a1.id, 'bob', 'Reply\nto first', a.id],
        [a11.id, 'ada', 'deeper', a1.id],
      ],
    );
    assert.deepEqual(
      threadOrder(list).map((c) => [c.id, c.depth]),
      [
        [a.id, 0],
        [a1.id, 1],
        [a11.id, 2],
        [b.id, 0],
      ],
    );
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
    assert.equal(await community.deleteComment(a.id), true);
    assert.deepEqual(
      (await community.comments(one.id)).map((c) => c.id),
      [b.id],
      'replies go with their parent',
    );
    await items.delete(one.id);
    assert.deepEqual(await community.comments(one.id), []);
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
