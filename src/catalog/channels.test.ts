/**
 * The channel repository on both databases: edits with the field named, images' blob keys, follows
 * (idempotent, counted, ended when the channel goes) and the followers' new items, newest first and
 * paged, without other channels' or unready items.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { ChannelRepository } from './channels.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

const field = (code: string, name: string) => (err: unknown) =>
  isSeedcastError(err) && err.code === code && err.message.includes(`${name}: `);

describeOnEachDatabase('channel repository', (fresh) => {
  test('updates, images, follows and the subscriptions list', async () => {
    let now = 1_800_000_000_000;
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const channels = new ChannelRepository(db, { now: () => now });
    const items = new ItemRepository(db);
    const ana = await users.register({ username: 'ana', password: 'password1' });
    const bo = await users.register({ username: 'bo', password: 'password1' });
    const talks = await channels.create({
      ownerId: ana.id,
      slug: 'talks',
      title: 'Talks',
      category: 'Technology>Podcasting',
    });
    assert.equal(talks.category, 'Technology > Podcasting');
    assert.equal(talks.medium, 'podcast');
    assert.equal(talks.avatarKey, null);
    const songs = await channels.create({ ownerId: ana.id, slug: 'songs', title: 'Songs', medium: 'music' });

    now += 1000;
    const edited = await channels.update(talks.id, {
      title: ' New talks ',
      description: '# Hi\n\nthere',
      medium: 'video',
    });
    assert.equal(edited?.title, 'New talks');
    assert.equal(edited?.description, '# Hi\n\nthere');
    assert.equal(edited?.medium, 'video');
    assert.equal(edited?.updatedAt, now);
    await assert.rejects(channels.update(talks.id, { title: '' }), field('CHANNEL_INVALID', 'title'));
    await assert.rejects(channels.update(talks.id, { medium: 'radio' }), field('CHANNEL_INVALID', 'medium'));
    await assert.rejects(
      channels.update(talks.id, { category: 'A > B > C' }),
      field('CHANNEL_INVALID', 'category'),
    );
    await assert.rejects(
      channels.create({ ownerId: ana.id, slug: 'Bad!', title: 'x' }),
      field('CHANNEL_INVALID', 'name'),
    );
    await assert.rejects(
      channels.create({ ownerId: bo.id, slug: 'talks', title: 'x' }),
      field('CHANNEL_CONFLICT', 'name'),
    );
    assert.equal(await channels.update(999_999, { title: 'x' }), undefined);

    const withAvatar = await channels.setImage(talks.id, 'avatar', `channels/${talks.id}/avatar.png`);
    assert.equal(withAvatar?.avatarKey, `channels/${talks.id}/avatar.png`);
    assert.equal(withAvatar?.bannerKey, null);
    assert.equal((await channels.setImage(talks.id, 'banner', 'b'))?.bannerKey, 'b');
    assert.equal((await channels.setImage(talks.id, 'avatar', null))?.avatarKey, null);

    assert.equal(await channels.isFollowing(bo.id, talks.id), false);
    await channels.follow(bo.id, talks.id);
    await channels.follow(bo.id, talks.id);
    assert.equal(await channels.isFollowing(bo.id, talks.id), true);
    assert.equal(await channels.followers(talks.id), 1);
    await channels.follow(ana.id, talks.id);
    assert.equal(await channels.followers(talks.id), 2);
    assert.deepEqual(
      (await channels.followedBy(bo.id)).map((c) => c.slug),
      ['talks'],
    );

    const file = (n: number) => ({ path: `ep${n}.ogg`, length: 10 });
    const ids: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const item = await items.create({
        ownerId: ana.id,
        title: `Episode ${n}`,
        channelId: talks.id,
        files: [file(n)],
        status: 'ready',
      });
      ids.push(item.id);
    }
    await items.create({
      ownerId: ana.id,
      title: 'A song',
      channelId: songs.id,
      files: [file(9)],
      status: 'ready',
    });
    await items.create({ ownerId: ana.id, title: 'Loose', files: [file(8)], status: 'ready' });
    const hidden = await items.create({
      ownerId: ana.id,
      title: 'Hidden',
      channelId: talks.id,
      files: [file(7)],
      status: 'pending',
    });
    const first = await channels.newItemsForFollower(bo.id, { limit: 3 });
    assert.deepEqual(first, ids.slice(2).reverse());
    assert.ok(!first.includes(hidden.id));
    assert.deepEqual(
      await channels.newItemsForFollower(bo.id, { limit: 3, before: first.at(-1)! }),
      ids.slice(0, 2).reverse(),
    );
    assert.deepEqual(await channels.newItemsForFollower(ana.id + bo.id + 100), []);

    // The channel page's listing: ready items only, newest first, paged, with the total.
    assert.deepEqual(await channels.itemPage(talks.id, { offset: 0, limit: 2 }), {
      ids: ids.slice(3).reverse(),
      total: 5,
    });
    assert.deepEqual(await channels.itemPage(talks.id, { offset: 4, limit: 2 }), { ids: [ids[0]], total: 5 });

    assert.equal(await channels.unfollow(bo.id, talks.id), true);
    assert.equal(await channels.unfollow(bo.id, talks.id), false);
    assert.deepEqual(await channels.newItemsForFollower(bo.id), []);
    assert.equal(await channels.count(), 2);
    assert.deepEqual(
      (await channels.list({ limit: 1, offset: 1 })).map((c) => c.slug),
      ['talks'],
    );

    // Deleting the channel: its items stay, without a channel; its follows end.
    assert.equal(await channels.delete(talks.id), true);
    assert.equal((await items.get(ids[0]!))?.channelId, null);
    assert.equal(await channels.followers(talks.id), 0);
    assert.deepEqual(await db.selectFrom('channel_follows').selectAll().execute(), []);
  });
});
