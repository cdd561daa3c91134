/**
 * Accounts and API tokens on both databases: registration (first user is admin, names unique without
 * regard to case, bad fields named), password login that reveals nothing, and tokens that are stored
 * hashed, expire, and stop working when revoked or when the account is disabled.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { TokenRepository } from './tokens.js';
import { UserRepository } from './users.js';

const FAST = { N: 2 ** 10 }; // cheap scrypt for tests; passwords.test.ts checks the default

const is = (code: string) => (err: unknown) => isSeedcastError(err) && err.code === code;

describeOnEachDatabase('accounts', (fresh) => {
  test('the first account is the admin, later ones are users', async () => {
    const users = new UserRepository(await fresh(), { scrypt: FAST });
    const first = await users.register({ username: 'Ada', password: 'correct horse' });
    const second = await users.register({ username: 'bob', password: 'battery staple' });
    assert.equal(first.role, 'admin');
    assert.equal(second.role, 'user');
    assert.equal(first.username, 'Ada');
    assert.deepEqual(await users.byName('ada'), first);
    assert.deepEqual(await users.byId(second.id), second);
  });

  test('concurrent first registrations make exactly one admin', async () => {
    const users = new UserRepository(await fresh(), { scrypt: FAST });
    const made = await Promise.all(
      ['u1', 'u2', 'u3', 'u4'].map((username) => users.register({ username, password: 'password1' })),
    );
    assert.equal(made.filter((u) => u.role === 'admin').length, 1);
  });

  test('a taken username, in any case, is USER_EXISTS; bad fields are USER_INVALID', async () => {
    const users = new UserRepository(await fresh(), { scrypt: FAST });
    await users.register({ username: 'carol', password: 'password1' });
    await assert.rejects(users.register({ username: 'CAROL', password: 'password2' }), is('USER_EXISTS'));
    for (const username of [
      '',
      'a',
      'x'.repeat(33),
      '../etc',
      'semi;colon',
      "o'neil",
      'sp ace',
      '-dash',
      null,
      42,
    ]) {
      await assert.rejects(
        users.register({ username, password: 'password1' }),
        is('USER_INVALID'),
        String(username),
      );
    }
    for (const password of ['short', '', null, 'p'.repeat(1025)]) {
      await assert.rejects(users.register({ username: 'dave', password }), is('USER_INVALID'));
    }
  });

  test('login succeeds only with the right password, and says the same for unknown names', async () => {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: FAST });
    const erin = await users.register({ username: 'erin', password: 'pässwörd-ü' });
    assert.deepEqual(await users.authenticate({ username: 'ERIN', password: 'pässwörd-ü' }), erin);
    const stored = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', erin.id)
      .executeTakeFirstOrThrow();
    assert.ok(stored.password_hash.startsWith('scrypt$') && !stored.password_hash.includes('pässwörd'));
    const failures = [
      { username: 'erin', password: 'pässwörd-u' },
      { username: 'erin', password: '' },
      { username: 'nobody', password: 'pässwörd-ü' },
      { username: "erin' --", password: 'x' },
      { username: 7, password: {} },
    ];
    for (const attempt of failures) {
      await assert.rejects(users.authenticate(attempt as never), (err) => {
        assert.ok(isSeedcastError(err, 'AUTH_FAILED'));
        assert.equal(err.message, 'account: wrong username or password');
        return true;
      });
    }
    await users.setDisabled(erin.id, true);
    await assert.rejects(users.authenticate({ username: 'erin', password: 'pässwörd-ü' }), is('AUTH_FAILED'));
  });
});

describeOnEachDatabase('API tokens', (fresh) => {
  test('a token verifies to its account, and only its hash is stored', async () => {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: FAST });
    const tokens = new TokenRepository(db);
    const user = await users.register({ username: 'frank', password: 'password1' });
    const { token } = await tokens.create(user.id, { name: 'laptop' });
    assert.match(token, /^sc_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await tokens.verify(token), user);
    const rows = await db.selectFrom('api_tokens').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(token.slice(3)));
    const [info] = await tokens.list(user.id);
    assert.equal(info?.name, 'laptop');
    assert.equal(typeof info?.lastUsedAt, 'number');
  });

  test('unknown, malformed, expired, revoked and disabled tokens are TOKEN_INVALID', async () => {
    let now = 1_800_000_000_000;
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: FAST, now: () => now });
    const tokens = new TokenRepository(db, { now: () => now });
    const gina = await users.register({ username: 'gina', password: 'password1' });
    const other = await users.register({ username: 'hal', password: 'password1' });
    const short = await tokens.create(gina.id, { ttlMs: 60_000 });
    const revoked = await tokens.create(gina.id);
    const disabled = await tokens.create(other.id);
    for (const bad of ['', 'sc_', `sc_${'A'.repeat(43)}`, `${short.token}x`, "sc_' OR 1=1 --", null, 17]) {
      await assert.rejects(tokens.verify(bad), is('TOKEN_INVALID'), String(bad));
    }
    assert.equal((await tokens.verify(short.token)).id, gina.id);
    now += 60_001;
    await assert.rejects(tokens.verify(short.token), is('TOKEN_INVALID'));
    assert.equal(await tokens.revoke(other.id, revoked.id), false, 'only the owner revokes');
    assert.equal(await tokens.revoke(gina.id, revoked.id), true);
    await assert.rejects(tokens.verify(revoked.token), is('TOKEN_INVALID'));
    await users.setDisabled(other.id, true);
    await assert.rejects(tokens.verify(disabled.token), is('TOKEN_INVALID'));
  });
});
