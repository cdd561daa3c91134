/**
 * Login sessions and channels on both databases: session cookies stored hashed, expiring, ended on
 * logout and on disabled accounts; channel slugs checked, unique, and items keep living when their
 * channel goes.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { ChannelRepository } from './channels.js';
import { ItemRepository } from './items.js';
import { SessionRepository } from './sessions.js';
import { UserRepository } from './users.js';

const is = (code: string) => (err: unknown) => isSeedcastError(err) && err.code === code;

describeOnEachDatabase('sessions', (fresh) => {
  test('a session cookie leads to its account until it expires or ends', async () => {
    let now = 1_800_000_000_000;
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const sessions = new SessionRepository(db, { now: () => now, ttlMs: 3_600_000 });
    const ida = await users.register({ username: 'ida', password: 'password1' });
    const a = await sessions.create(ida.id);
    const b = await sessions.create(ida.id);
    assert.equal(a.expiresAt, now + 3_600_000);
    assert.deepEqual(await sessions.verify(a.cookie), ida);
    const stored = await db.selectFrom('sessions').select('id').execute();
    assert.deepEqual(
      stored.map((r) => r.id).sort(),
      [a.cookie, b.cookie].map((c) => createHash('sha256').update(c).digest('hex')).sort(),
    );
    await sessions.end(a.cookie);
    await assert.rejects(sessions.verify(a.cookie), is('TOKEN_INVALID'));
    assert.equal((await sessions.verify(b.cookie)).id, ida.id);
    for (const bad of ['', 'x', `${b.cookie}=`, "' or 1=1 --", undefined]) {
      await assert.rejects(sessions.verify(bad), is('TOKEN_INVALID'));
    }
    now += 3_600_000;
    await assert.rejects(sessions.verify(b.cookie), is('TOKEN_INVALID'));
    assert.equal(await sessions.purgeExpired(), 1);
    const c = await sessions.create(ida.id);
    await users.setDisabled(ida.id, true);
    await assert.rejects(sessions.verify(c.cookie), is('TOKEN_INVALID'));
    await sessions.endAll(ida.id);
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0);
  });
});

describeOnEachDatabase('channels', (fresh) => {
  test('slugs are checked and unique; deleting a channel keeps its items', async () => {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const channels = new ChannelRepository(db);
    const items = new ItemRepository(db);
    const jo = await users.register({ username: 'jo', password: 'password1' });
    const channel = await channels.create({ ownerId: jo.id, slug: 'night-shows', title: 'Night shows' });
    assert.deepEqual(await channels.bySlug('night-shows'), channel);
    await assert.rejects(
      channels.create({ ownerId: jo.id, slug: 'night-shows', title: 'Again' }),
      is('CHANNEL_CONFLICT'),
    );
    for (const slug of ['', 'a', 'Upper', '-lead', 'trail-', 'sp ace', '../x', 'x'.repeat(65), 5]) {
      await assert.rejects(
        channels.create({ ownerId: jo.id, slug, title: 'T' }),
        is('CHANNEL_INVALID'),
        String(slug),
      );
    }
    await assert.rejects(
      channels.create({ ownerId: 424242, slug: 'orphan', title: 'T' }),
      is('CHANNEL_INVALID'),
    );
    const item = await items.create({
      ownerId: jo.id,
      title: 'Episode 1',
      channelId: channel.id,
      files: [{ path: 'ep1.ogg', length: 10 }],
    });
    assert.equal(item.channelId, channel.id);
    assert.deepEqual(
      (await channels.byOwner(jo.id)).map((c) => c.slug),
      ['night-shows'],
    );
    assert.equal(await channels.delete(channel.id), true);
    assert.equal((await items.get(item.id))?.channelId, null);
  });
});
