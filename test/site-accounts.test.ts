/**
 * The accounts API on both databases, through `app.inject()`: registration (the first account is the
 * admin), tokens for a username and password, Bearer authentication on the publishing route, the one
 * JSON error shape for every refusal, and rate limits on registration and login.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { multipart, openTestSite } from './site-fixtures.js';

const json = (username: string, password: string) => ({ username, password });

function assertError(res: { statusCode: number; json(): unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  const body = res.json() as { error: { code: string; message: string } };
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
}

describeOnEachDatabase('accounts API', (fresh) => {
  test('register: 201 with id and username, the first account is the admin', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const first = await s.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: json('Ada', 'correct horse'),
    });
    assert.equal(first.statusCode, 201);
    assert.deepEqual(first.json(), { id: first.json().id, username: 'Ada', role: 'admin' });
    const second = await s.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: json('bob', 'battery staple'),
    });
    assert.equal(second.statusCode, 201);
    assert.equal(second.json().role, 'user');
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/users', payload: json('ADA', 'another one') }),
      409,
      'USER_EXISTS',
    );
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'x1' } }),
      400,
      'HTTP_BAD_REQUEST',
    );
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/users', payload: json('../etc', 'correct horse') }),
      400,
      'USER_INVALID',
    );
    assertError(
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": ',
      }),
      400,
      'HTTP_BAD_REQUEST',
    );
  });

  test('tokens: 201 { token } for the right password, 401 otherwise; the token authenticates', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    await s.app.inject({ method: 'POST', url: '/api/v1/users', payload: json('ada', 'correct horse') });
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: json('ada', 'correct horse'),
    });
    assert.equal(res.statusCode, 201);
    assert.match(res.json().token, /^sc_[A-Za-z0-9_-]{43}$/);
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: json('ada', 'wrong') }),
      401,
      'AUTH_FAILED',
    );
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: json('nobody', 'x') }),
      401,
      'AUTH_FAILED',
    );

    const body = multipart([{ name: 'title', value: 'x' }]);
    const post = (headers: Record<string, string>) =>
      s.app.inject({
        method: 'POST',
        url: '/api/v1/items',
        ...body,
        headers: { ...body.headers, ...headers },
      });
    assertError(await post({}), 401, 'AUTH_REQUIRED');
    assertError(await post({ authorization: 'Basic YWRhOnB3' }), 401, 'AUTH_REQUIRED');
    assertError(await post({ authorization: `Bearer sc_${'A'.repeat(43)}` }), 401, 'TOKEN_INVALID');
    // A good token gets past authentication (and fails on the missing file instead).
    assertError(await post({ authorization: `Bearer ${res.json().token}` }), 400, 'ITEM_INVALID');
  });

  test('failed token requests are limited per address (429, JSON error)', async (t) => {
    const s = await openTestSite(await fresh(), { limits: { failures: { max: 3, timeWindow: 60_000 } } });
    t.after(() => s.close());
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: json('ada', 'guess'),
      });
      codes.push(res.statusCode);
      if (i === 3) assertError(res, 429, 'HTTP_RATE_LIMITED');
    }
    assert.deepEqual(codes, [401, 401, 401, 429]);
    const other = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: json('ada', 'guess'),
      remoteAddress: '192.0.2.7',
    });
    assert.equal(other.statusCode, 401, 'another address has its own budget');
  });
});
