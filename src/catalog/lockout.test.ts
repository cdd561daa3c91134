/**
 * The per-account login lockout and password change on both databases, with a fake clock: failures
 * within the window lock the account, attempts while locked are neither checked nor counted, the lock
 * ends on time, the last good login's address gets through, and a good login or a password change
 * clears the count.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { UserRepository } from './users.js';

const FAST = { N: 2 ** 10 };
const is = (code: string) => (err: unknown) => isSeedcastError(err) && err.code === code;

describeOnEachDatabase('login lockout', (fresh) => {
  const setup = async () => {
    let now = 1_000_000;
    const users = new UserRepository(await fresh(), {
      scrypt: FAST,
      now: () => now,
      lockout: { max: 3, timeWindow: 60_000 },
    });
    await users.register({ username: 'bea', password: 'correct horse' });
    const tick = (ms: number) => {
      now += ms;
    };
    const attempt = (password: string, address = '198.51.100.1') =>
      users.authenticate({ username: 'bea', password }, { address });
    return { users, tick, attempt };
  };

  test('failures within the window lock the account; the lock does not grow and ends on time', async () => {
    const { tick, attempt } = await setup();
    await attempt('correct horse', '192.0.2.1'); // her usual address
    for (let i = 0; i < 3; i++) await assert.rejects(attempt(`guess ${i}`), is('AUTH_FAILED'));
    await assert.rejects(attempt('correct horse'), is('AUTH_LOCKED'));
    tick(50_000);
    for (let i = 0; i < 5; i++) await assert.rejects(attempt(`more ${i}`), is('AUTH_LOCKED'));
    await attempt('correct horse', '192.0.2.1'); // her usual address gets through
    tick(10_001); // the lock set at the third failure is over; the attempts while locked did not extend it
    await attempt('correct horse');
  });

  test('failures spread wider than the window never lock; a good login clears the count', async () => {
    const { tick, attempt } = await setup();
    for (let i = 0; i < 6; i++) {
      await assert.rejects(attempt(`guess ${i}`), is('AUTH_FAILED'));
      tick(31_000); // two per window at most
    }
    await assert.rejects(attempt('nope 1'), is('AUTH_FAILED'));
    await attempt('correct horse');
    await assert.rejects(attempt('nope 2'), is('AUTH_FAILED'));
    await assert.rejects(attempt('nope 3'), is('AUTH_FAILED'));
    await attempt('correct horse'); // two failures after the good login: not locked
  });

  test('a password change needs the current password (wrong ones count) and replaces it', async () => {
    const { users, attempt } = await setup();
    const bea = (await users.byName('bea'))!;
    await assert.rejects(
      users.changePassword(bea.id, { current: 'wrong', password: 'battery staple' }),
      is('AUTH_FAILED'),
    );
    await assert.rejects(
      users.changePassword(bea.id, { current: 'correct horse', password: 'short' }),
      is('USER_INVALID'),
    );
    await users.changePassword(bea.id, { current: 'correct horse', password: 'battery staple' });
    await assert.rejects(attempt('correct horse'), is('AUTH_FAILED'));
    await attempt('battery staple');
  });
});
