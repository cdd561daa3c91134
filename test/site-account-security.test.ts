/**
 * Account security through the real app (issue 15, findings 11 and 13): `next=` after login never
 * leaves the site whatever its spelling; password change (page and API; the current password
 * required) and "log out everywhere" end every session and API token; repeated wrong passwords lock
 * the account for a while, then it opens again; `/metrics` answers loopback or its token only.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import type { LimitOverrides } from '../src/web/limits.js';
import { Browser } from './pages-fixtures.js';
import { BASE, login, openTestSite, type TestSite } from './site-fixtures.js';

async function openSite(
  t: { after(fn: () => unknown): void },
  options: { limits?: LimitOverrides; metricsToken?: string } = {},
): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-account-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db, options);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

async function signedIn(s: TestSite, username: string, password = 'correct horse') {
  const b = new Browser(s.app);
  const res = await b.post('/login', { username, password }, { csrfFrom: '/login' });
  assert.equal(res.statusCode, 303, res.body);
  return b;
}

const isSession = async (s: TestSite, b: Browser) =>
  s.site.sessions.verify(b.cookies.get('sc_session')).then(
    () => true,
    () => false,
  );
const isToken = async (s: TestSite, auth: Record<string, string>) =>
  s.site.tokens.verify(auth.authorization!.slice('Bearer '.length)).then(
    () => true,
    () => false,
  );

test('after login, next= lands on this site whatever its spelling', async (t) => {
  const s = await openSite(t);
  await s.site.users.register({ username: 'ada', password: 'correct horse' });
  const b = await signedIn(s, 'ada');
  const evil = [
    '/%09/evil.example',
    '/%0a/evil.example',
    '//evil.example',
    '/%5Cevil.example',
    '/%5C/evil.example',
    'https://evil.example/',
    '%2F%2Fevil.example',
    '/%2F/evil.example',
  ];
  for (const next of evil) {
    // logged in already: GET /login?next= redirects at once
    const res = await b.get(`/login?next=${next}`);
    assert.equal(res.statusCode, 303, next);
    const where = new URL(String(res.headers.location), `${BASE}/`);
    assert.equal(where.origin, BASE, `${next} -> ${res.headers.location}`);
    assert.doesNotMatch(
      String(res.headers.location),
      /^\/[\\/\s]|[\t\n\r]/,
      `${next} -> ${res.headers.location}`,
    );
  }
  for (const next of ['/\t/evil.example', '/\\evil.example', ' //evil.example', 'javascript:alert(1)']) {
    const fresh = new Browser(s.app);
    const res = await fresh.post(
      '/login',
      { username: 'ada', password: 'correct horse', next },
      { csrfFrom: '/login' },
    );
    assert.equal(res.statusCode, 303);
    assert.equal(new URL(String(res.headers.location), `${BASE}/`).origin, BASE, JSON.stringify(next));
  }
  const kept = await b.get('/login?next=%2Fitems%2F7%3Fa%3D1');
  assert.equal(kept.headers.location, '/items/7?a=1');
});

test('changing the password on the page needs the current one and ends every session and token', async (t) => {
  const s = await openSite(t);
  await login(s.app, 'admin');
  const auth = await login(s.app, 'bea');
  const here = await signedIn(s, 'bea');
  const there = await signedIn(s, 'bea');
  const form = (fields: Record<string, string>) =>
    here.post('/account/password', fields, { csrfFrom: '/account' });
  const wrong = await form({
    current_password: 'not it at all',
    new_password: 'battery staple',
    confirm_password: 'battery staple',
  });
  assert.equal(wrong.statusCode, 401);
  assert.match(wrong.body, /That is not your current password/);
  const differ = await form({
    current_password: 'correct horse',
    new_password: 'battery staple',
    confirm_password: 'battery stable',
  });
  assert.equal(differ.statusCode, 400);
  const weak = await form({
    current_password: 'correct horse',
    new_password: 'short',
    confirm_password: 'short',
  });
  assert.equal(weak.statusCode, 400);
  assert.ok((await isSession(s, there)) && (await isToken(s, auth)), 'nothing ended on refusals');
  const done = await form({
    current_password: 'correct horse',
    new_password: 'battery staple',
    confirm_password: 'battery staple',
  });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/account?password=changed');
  assert.equal(await isSession(s, there), false, 'the other session ended');
  assert.equal(await isToken(s, auth), false, 'the API token was revoked');
  assert.equal(await isSession(s, here), true, 'this browser got a new session');
  const page = await here.get('/account?password=changed');
  assert.match(page.body, /Your password was changed/);
  await assert.rejects(s.site.users.authenticate({ username: 'bea', password: 'correct horse' }));
  await s.site.users.authenticate({ username: 'bea', password: 'battery staple' });
});

test('the API changes the password with the current one and revokes every token', async (t) => {
  const s = await openSite(t);
  await login(s.app, 'admin');
  const auth = await login(s.app, 'bea');
  const other = await login(s.app, 'bea');
  const browser = await signedIn(s, 'bea');
  const change = (currentPassword: string, headers = auth) =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/account/password',
      headers,
      payload: { currentPassword, newPassword: 'battery staple' },
    });
  const wrong = await change('nope nope nope');
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.json().error.code, 'AUTH_FAILED');
  const anonymous = await s.app.inject({
    method: 'POST',
    url: '/api/v1/account/password',
    payload: { currentPassword: 'correct horse', newPassword: 'battery staple' },
  });
  assert.equal(anonymous.statusCode, 401);
  const done = await change('correct horse');
  assert.equal(done.statusCode, 200, done.body);
  assert.deepEqual(done.json(), { sessions: 1, tokens: 2 });
  assert.equal(await isToken(s, other), false);
  assert.equal(await isSession(s, browser), false);
});

test('"log out everywhere" ends every session and API token (page and API)', async (t) => {
  const s = await openSite(t);
  await login(s.app, 'admin');
  const auth = await login(s.app, 'bea');
  const here = await signedIn(s, 'bea');
  const there = await signedIn(s, 'bea');
  const res = await here.post('/account/logout-everywhere', {}, { csrfFrom: '/account' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/login');
  assert.equal(await isSession(s, there), false);
  assert.equal(here.cookies.has('sc_session'), false, 'this browser is logged out too');
  assert.equal(await isToken(s, auth), false);
  // the API form, with a token
  const again = await login(s.app, 'bea');
  const b2 = await signedIn(s, 'bea');
  const api = await s.app.inject({
    method: 'POST',
    url: '/api/v1/account/logout-everywhere',
    headers: again,
  });
  assert.deepEqual(api.json(), { sessions: 1, tokens: 1 });
  assert.equal(await isSession(s, b2), false);
  // a cross-site form cannot do it with the cookie alone
  const b3 = await signedIn(s, 'bea');
  const csrfless = await s.app.inject({
    method: 'POST',
    url: '/api/v1/account/logout-everywhere',
    headers: { cookie: `sc_session=${b3.cookies.get('sc_session')}` },
  });
  assert.equal(csrfless.statusCode, 403);
  assert.equal(await isSession(s, b3), true);
});

test('wrong passwords lock the account for a while (page and API), then it opens again', async (t) => {
  const s = await openSite(t, { limits: { loginLockout: { max: 3, timeWindow: 1500 } } });
  await s.site.users.register({ username: 'admin', password: 'correct horse' });
  await s.site.users.register({ username: 'bea', password: 'correct horse' });
  for (let i = 0; i < 3; i++) {
    const b = new Browser(s.app);
    // every guess from another address: the per-address limit does not come into it
    const page = await b.get('/login');
    const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: `198.51.100.${i + 1}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      payload: new URLSearchParams({ username: 'bea', password: `guess ${i}`, _csrf: csrf }).toString(),
    });
    assert.equal(res.statusCode, 401);
  }
  const locked = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'bea', password: 'correct horse' },
    remoteAddress: '203.0.113.1',
  });
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.json().error.code, 'AUTH_LOCKED');
  const b = new Browser(s.app);
  const page = await b.post('/login', { username: 'bea', password: 'correct horse' }, { csrfFrom: '/login' });
  assert.equal(page.statusCode, 429);
  assert.match(page.body, /Too many wrong passwords for this account: try again in 1 min\./);
  const other = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'admin', password: 'correct horse' },
  });
  assert.equal(other.statusCode, 201, 'other accounts are not locked');
  await new Promise((r) => setTimeout(r, 1600));
  const open = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'bea', password: 'correct horse' },
    remoteAddress: '203.0.113.1',
  });
  assert.equal(open.statusCode, 201, 'the lock ends after its window');
});

test('/metrics answers loopback and its token holder only', async (t) => {
  const s = await openSite(t, { metricsToken: 'metrics-secret-1234' });
  const get = (remoteAddress: string, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
  assert.equal((await get('127.0.0.1')).statusCode, 200);
  assert.equal((await get('::1')).statusCode, 200);
  const outside = await get('203.0.113.9');
  assert.equal(outside.statusCode, 403);
  assert.equal(outside.json().error.code, 'FORBIDDEN');
  assert.equal((await get('203.0.113.9', { authorization: 'Bearer metrics-secret-1234' })).statusCode, 200);
  assert.equal((await get('203.0.113.9', { authorization: 'Bearer wrong' })).statusCode, 403);
  assert.equal((await get('10.0.0.8')).statusCode, 403, 'a private address is not loopback');
});
