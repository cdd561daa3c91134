/**
 * Accounts (issue 19) on both databases: one-time tokens (stored hashed, used once even when raced,
 * expired after their time, older ones revoked by a new one), a reset that sets the password and
 * ends sessions but keeps API tokens, email addresses (normalised, verified by token, not squatted),
 * who a reset may go to, and deleting an account (items transferred or gone, last admin refused,
 * comments kept as placeholders only where others replied).
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { AccountTokenRepository } from './account-tokens.js';
import { CommentRepository } from './comments.js';
import { SessionRepository } from './sessions.js';
import { TokenRepository } from './tokens.js';
import { UserRepository } from './users.js';
import { AccountRemoval } from './users-delete.js';
import { AccountEmails, checkEmail } from './users-email.js';

const FAST = { N: 2 ** 10 };
const is = (code: string) => (err: unknown) => isSeedcastError(err) && err.code === code;

test('addresses are normalised and checked', () => {
  assert.equal(checkEmail('  Ada@Example.ORG '), 'ada@example.org');
  assert.equal(checkEmail('a.b+tag@bücher.example'), 'a.b+tag@xn--bcher-kva.example');
  for (const bad of [
    '',
    'ada',
    '@example.org',
    'ada@',
    'ada@localhost',
    'a b@example.org',
    'a..b@example.org',
    'ada@-x.org',
    `${'x'.repeat(65)}@example.org`,
    `a@${'x'.repeat(250)}.org`,
    'ada@example.123',
    42,
  ]) {
    assert.throws(
      () => checkEmail(bad),
      (err: unknown) => is('USER_INVALID')(err) && /email: /.test((err as Error).message),
      String(bad),
    );
  }
});

describeOnEachDatabase('account tokens and emails', (fresh) => {
  const setup = async (now = { t: 1_800_000_000_000 }) => {
    const db = await fresh();
    const clock = () => now.t;
    const users = new UserRepository(db, { scrypt: FAST, now: clock });
    return {
      db,
      now,
      users,
      tokens: new AccountTokenRepository(db, { now: clock, scrypt: FAST }),
      emails: new AccountEmails(db, { now: clock }),
      sessions: new SessionRepository(db, { now: clock }),
      api: new TokenRepository(db, { now: clock }),
      removal: new AccountRemoval(db, { now: clock }),
      comments: new CommentRepository(db, { now: clock }),
    };
  };

  test('a token is stored hashed, works once, and a newer one revokes the older', async () => {
    const s = await setup();
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    const first = await s.tokens.issue(ada.id, 'reset');
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
    const rows = await s.db.selectFrom('account_tokens').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, createHash('sha256').update(first.token).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(first.token));
    assert.equal(first.expiresAt, s.now.t + 3_600_000);
    const second = await s.tokens.issue(ada.id, 'reset');
    await assert.rejects(s.tokens.check(first.token, 'reset'), is('ACCOUNT_TOKEN_INVALID'));
    assert.equal((await s.tokens.check(second.token, 'reset')).userId, ada.id);
    await assert.rejects(s.tokens.consume(second.token, 'verify-email'), is('ACCOUNT_TOKEN_INVALID'));
    const raced = await Promise.allSettled([1, 2, 3].map(() => s.tokens.consume(second.token, 'reset')));
    assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await s.tokens.issuedSince(ada.id, 'reset', s.now.t - 1), 2);
    await assert.rejects(s.tokens.consume('x'.repeat(43), 'reset'), is('ACCOUNT_TOKEN_INVALID'));
    await assert.rejects(s.tokens.consume('short', 'reset'), is('ACCOUNT_TOKEN_INVALID'));
  });

  test('a token expires after its time', async () => {
    const s = await setup();
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    const reset = await s.tokens.issue(ada.id, 'reset');
    const verify = await s.tokens.issue(ada.id, 'verify-email', { email: 'ada@example.org' });
    s.now.t += 3_600_000;
    await assert.rejects(s.tokens.consume(reset.token, 'reset'), is('ACCOUNT_TOKEN_INVALID'));
    assert.equal((await s.tokens.check(verify.token, 'verify-email')).email, 'ada@example.org');
    s.now.t += 23 * 3_600_000;
    await assert.rejects(s.tokens.check(verify.token, 'verify-email'), is('ACCOUNT_TOKEN_INVALID'));
    assert.equal(await s.tokens.purgeExpired(), 2);
  });

  test('a reset sets the password, ends sessions, keeps API tokens; a weak password keeps the token', async () => {
    const s = await setup();
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    const { cookie } = await s.sessions.create(ada.id);
    const { token: apiToken } = await s.api.create(ada.id);
    const { token } = await s.tokens.issue(ada.id, 'reset');
    await assert.rejects(s.tokens.resetPassword(token, 'short'), is('USER_INVALID'));
    assert.equal(await s.tokens.resetPassword(token, 'a new password'), ada.id);
    await assert.rejects(s.users.authenticate({ username: 'ada', password: 'password1' }), is('AUTH_FAILED'));
    assert.equal((await s.users.authenticate({ username: 'ada', password: 'a new password' })).id, ada.id);
    await assert.rejects(s.sessions.verify(cookie), is('TOKEN_INVALID'));
    assert.equal((await s.api.verify(apiToken)).id, ada.id);
    await assert.rejects(s.tokens.resetPassword(token, 'another one'), is('ACCOUNT_TOKEN_INVALID'));
  });

  test('an address is verified by its token; a changed address makes the old link useless', async () => {
    const s = await setup();
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    assert.deepEqual(await s.emails.set(ada.id, 'Ada@Example.org'), {
      email: 'ada@example.org',
      verifiedAt: null,
    });
    assert.equal(await s.emails.resetTarget('ada'), undefined);
    const { token } = await s.tokens.issue(ada.id, 'verify-email', { email: 'ada@example.org' });
    assert.deepEqual(await s.emails.verify(s.tokens, token), { userId: ada.id, email: 'ada@example.org' });
    await assert.rejects(s.emails.verify(s.tokens, token), is('ACCOUNT_TOKEN_INVALID'));
    assert.equal((await s.emails.get(ada.id))?.verifiedAt, s.now.t);
    assert.deepEqual(await s.emails.resetTarget('ADA'), {
      userId: ada.id,
      username: 'ada',
      email: 'ada@example.org',
    });
    assert.equal((await s.emails.resetTarget('ada@EXAMPLE.org'))?.userId, ada.id);
    assert.equal(await s.emails.resetTarget('nobody@example.org'), undefined);
    // the same address again stays verified; a new one is not, and the old link cannot verify it
    assert.equal((await s.emails.set(ada.id, 'ADA@example.org')).verifiedAt, s.now.t);
    const old = await s.tokens.issue(ada.id, 'verify-email', { email: 'ada@example.org' });
    await s.emails.set(ada.id, 'ada@example.net');
    await assert.rejects(s.emails.verify(s.tokens, old.token), is('ACCOUNT_TOKEN_INVALID'));
    assert.equal(await s.emails.resetTarget('ada'), undefined);
  });

  test('a verified address cannot be claimed; an unverified one is taken over', async () => {
    const s = await setup();
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    const bob = await s.users.register({ username: 'bob', password: 'password1' });
    await s.emails.set(bob.id, 'ada@example.org'); // Bob types Ada's address
    await s.emails.set(ada.id, 'ada@example.org'); // Ada takes it back
    assert.equal(await s.emails.get(bob.id), undefined);
    const { token } = await s.tokens.issue(ada.id, 'verify-email', { email: 'ada@example.org' });
    await s.emails.verify(s.tokens, token);
    await assert.rejects(s.emails.set(bob.id, 'ADA@example.org'), is('EMAIL_TAKEN'));
  });

  test('deleting an account: transfer to the first admin, or delete; comments; the last admin stays', async () => {
    const s = await setup();
    const admin = await s.users.register({ username: 'root', password: 'password1' });
    const ada = await s.users.register({ username: 'ada', password: 'password1' });
    const bob = await s.users.register({ username: 'bob', password: 'password1' });
    const now = s.now.t;
    const channel = await s.db
      .insertInto('channels')
      .values({ owner_id: ada.id, slug: 'ada-tv', title: 'Ada TV', created_at: now, avatar_key: 'img/a' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const item = await s.db
      .insertInto('items')
      .values({ owner_id: ada.id, channel_id: channel.id, title: 'Talk', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const other = await s.db
      .insertInto('items')
      .values({ owner_id: bob.id, channel_id: null, title: 'Bob', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { id: lone } = await s.comments.addComment({
      itemId: other.id,
      userId: ada.id,
      parentId: null,
      body: 'alone',
    });
    const { id: answered } = await s.comments.addComment({
      itemId: other.id,
      userId: ada.id,
      parentId: null,
      body: 'asked',
    });
    const { id: reply } = await s.comments.addComment({
      itemId: other.id,
      userId: bob.id,
      body: 'answer',
      parentId: answered,
    });
    const exported = await s.removal.export(ada.id);
    assert.equal(exported.profile.username, 'ada');
    assert.deepEqual(
      exported.items.map((i) => [i.title, i.channel]),
      [['Talk', 'ada-tv']],
    );
    assert.deepEqual(
      exported.comments.map((c) => c.body),
      ['alone', 'asked'],
    );
    assert.deepEqual(
      exported.channels.map((c) => c.name),
      ['ada-tv'],
    );

    await assert.rejects(s.removal.checkRemovable(admin.id), is('LAST_ADMIN'));
    await assert.rejects(s.removal.remove(admin.id, 'transfer'), is('LAST_ADMIN'));
    await assert.rejects(s.removal.remove(ada.id, 'delete'), /still owns items/);
    const gone = await s.removal.remove(ada.id, 'transfer');
    assert.deepEqual(gone, { transferredTo: { id: admin.id, username: 'root' }, blobKeys: [] });
    assert.equal(await s.users.byId(ada.id), undefined);
    const moved = await s.db
      .selectFrom('items')
      .select('owner_id')
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    assert.equal(moved.owner_id, admin.id);
    const left = await s.db.selectFrom('comments').selectAll().orderBy('id').execute();
    assert.deepEqual(
      left.map((c) => c.id),
      [answered, reply],
    );
    assert.equal(lone < answered, true);
    assert.equal(left[0]!.body, '');
    assert.notEqual(left[0]!.deleted_at, null);
    assert.equal(left[1]!.body, 'answer');

    // "delete": the caller removed the items; channel images are handed back for the blob store
    await s.db.updateTable('channels').set({ owner_id: bob.id }).execute();
    await s.db.deleteFrom('items').where('owner_id', '=', bob.id).execute();
    const removed = await s.removal.remove(bob.id, 'delete');
    assert.deepEqual(removed, { transferredTo: null, blobKeys: ['img/a'] });
    assert.equal(await s.db.selectFrom('comments').select('id').executeTakeFirst(), undefined);
    assert.equal(await s.db.selectFrom('channels').select('id').executeTakeFirst(), undefined);
  });
});
