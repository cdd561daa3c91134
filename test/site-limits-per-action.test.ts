/**
 * One limit per action, whichever route reaches it (issue 15, finding 5): comments, reports and
 * uploads flooded through the page forms (real sessions, CSRF tokens) and the API share one budget;
 * the 21st is refused with 429, `Retry-After` and a page for people (JSON for the API); an admin is
 * never limited; another address has its own budget; refused attempts count per address in a short
 * window and never use up the account's budget.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { createTorrent } from '../src/torrent/index.js';
import type { LimitOverrides } from '../src/web/limits.js';
import { addItem, Browser } from './pages-fixtures.js';
import { login, multipart, openTestSite, type TestSite } from './site-fixtures.js';

async function openSite(t: { after(fn: () => unknown): void }, limits?: LimitOverrides): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-limits-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db, { limits });
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

/** A signed-in browser (registered through the page form) and a Bearer header for the same account. */
async function member(s: TestSite, username: string) {
  const b = new Browser(s.app);
  const res = await b.post(
    '/register',
    { username, password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal(res.statusCode, 303, res.body);
  const page = await b.get('/account');
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  const token = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username, password: 'correct horse' },
  });
  return { b, csrf, auth: { authorization: `Bearer ${token.json().token}` } };
}

test('comments: page form and API share one budget; the 21st is refused; the admin is not limited', async (t) => {
  const s = await openSite(t);
  const item = await addItem(s); // registers "owner" first: the admin
  const admin = await login(s.app, 'owner');
  const { b, csrf, auth } = await member(s, 'bea');
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await b.post(`/items/${item.id}/comments`, { body: `page ${i}`, _csrf: csrf });
    statuses.push(res.statusCode);
  }
  for (let i = 0; i < 10; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/v1/items/${item.id}/comments`,
      headers: auth,
      payload: { body: `api ${i}` },
    });
    statuses.push(res.statusCode);
  }
  assert.deepEqual(statuses, [...Array(10).fill(303), ...Array(10).fill(201)]);
  // the 21st, through either route
  const page = await b.post(`/items/${item.id}/comments`, { body: 'one more', _csrf: csrf });
  assert.equal(page.statusCode, 429);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /Too many requests/);
  assert.match(page.body, /at most 20 comments a hour/);
  const retry = Number(page.headers['retry-after']);
  assert.ok(retry > 3000 && retry <= 3600, `Retry-After ${retry}`);
  const api = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${item.id}/comments`,
    headers: auth,
    payload: { body: 'one more' },
  });
  assert.equal(api.statusCode, 429);
  assert.equal(api.json().error.code, 'HTTP_RATE_LIMITED');
  assert.ok(Number(api.headers['retry-after']) > 0);
  const comments = await s.app.inject({ method: 'GET', url: `/api/v1/items/${item.id}/comments` });
  assert.equal(comments.json().comments.length, 20);
  for (let i = 0; i < 25; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/v1/items/${item.id}/comments`,
      headers: admin,
      payload: { body: `admin ${i}` },
    });
    assert.equal(res.statusCode, 201, `admin comment ${i}`);
  }
});

test('reports by anonymous visitors: 20 per address through the form and the API, then 429', async (t) => {
  const s = await openSite(t);
  const item = await addItem(s);
  const b = new Browser(s.app);
  const page = await b.get(`/items/${item.id}`);
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  for (let i = 0; i < 20; i++) {
    const res =
      i % 2 === 0
        ? await b.post(`/items/${item.id}/report`, { reason: 'spam', _csrf: csrf })
        : await s.app.inject({
            method: 'POST',
            url: `/api/v1/items/${item.id}/reports`,
            payload: { reason: `spam ${i}` },
          });
    assert.ok([201, 303].includes(res.statusCode), `report ${i}: ${res.statusCode} ${res.body}`);
  }
  const refused = await b.post(`/items/${item.id}/report`, { reason: 'spam', _csrf: csrf });
  assert.equal(refused.statusCode, 429);
  assert.match(refused.body, /Too many requests/);
  const other = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${item.id}/reports`,
    payload: { reason: 'from elsewhere' },
    remoteAddress: '198.51.100.9',
  });
  assert.equal(other.statusCode, 201, 'another address has its own budget');
});

test('uploads (files and torrent-only) through the form and the API share one budget; the 21st is refused', async (t) => {
  const s = await openSite(t);
  await login(s.app, 'admin'); // the first account
  const { b, csrf, auth } = await member(s, 'bea');
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const torrentOf = async (n: number) => {
    const path = join(s.dir, `show-${n}.mp3`);
    writeFileSync(path, Buffer.alloc(20_000, n));
    return (await createTorrent(path, { version: 'v1', announce: ['http://elsewhere.example/announce'] }))
      .torrent;
  };
  const viaPage = async (n: number, torrentOnly = false) => {
    const body = multipart([
      { name: '_csrf', value: csrf },
      { name: 'title', value: `Page take ${n}` },
      torrentOnly
        ? { name: 'torrent', filename: `show-${n}.torrent`, value: await torrentOf(n) }
        : { name: 'file', filename: `page-${n}.mp3`, value: `page take ${n}` },
    ]);
    return s.app.inject({
      method: 'POST',
      url: '/upload',
      headers: { ...body.headers, cookie },
      payload: body.payload,
    });
  };
  const viaApi = (n: number) => {
    const body = multipart([
      { name: 'title', value: `API take ${n}` },
      { name: 'file', filename: `api-${n}.mp3`, value: `api take ${n}` },
    ]);
    return s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      headers: { ...body.headers, ...auth },
      payload: body.payload,
    });
  };
  for (let n = 1; n <= 10; n++) {
    const page = await viaPage(n, n % 2 === 0);
    assert.equal(page.statusCode, 303, `page upload ${n}: ${page.body.slice(0, 300)}`);
    assert.equal((await viaApi(n)).statusCode, 201, `API upload ${n}`);
  }
  const page = await viaPage(21, true);
  assert.equal(page.statusCode, 429, page.body.slice(0, 300));
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /at most 20 uploads a hour/);
  assert.equal((await viaApi(21)).statusCode, 429);
  const items = await s.app.inject({ method: 'GET', url: '/api/v1/search?q=take' });
  assert.equal(items.json().total, 20, 'twenty published, not one more');
});

test('refused attempts slow one address down briefly and never use up the account or other addresses', async (t) => {
  const s = await openSite(t, { failures: { max: 5, timeWindow: 1500 } });
  const item = await addItem(s);
  const { auth } = await member(s, 'bea');
  const comment = (body: string, remoteAddress = '127.0.0.1') =>
    s.app.inject({
      method: 'POST',
      url: `/api/v1/items/${item.id}/comments`,
      headers: auth,
      payload: { body, parentId: 999_999 }, // no such parent: refused
      remoteAddress,
    });
  const codes: number[] = [];
  for (let i = 0; i < 8; i++) codes.push((await comment(`bad ${i}`)).statusCode);
  assert.deepEqual(codes.slice(5), [429, 429, 429], `codes ${codes}`);
  assert.ok(
    codes.slice(0, 5).every((c) => c >= 400 && c < 429),
    `codes ${codes}`,
  );
  // the same account from another address is not slowed down
  const elsewhere = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${item.id}/comments`,
    headers: auth,
    payload: { body: 'from my phone' },
    remoteAddress: '203.0.113.5',
  });
  assert.equal(elsewhere.statusCode, 201);
  // after the short window, the address is free again, and the failures cost the account nothing
  await new Promise((r) => setTimeout(r, 1600));
  for (let i = 0; i < 19; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/v1/items/${item.id}/comments`,
      headers: auth,
      payload: { body: `good ${i}` },
    });
    assert.equal(res.statusCode, 201, `good comment ${i}: ${res.body}`);
  }
});

test('failed logins for an account do not lock its owner out from where they last logged in', async (t) => {
  const s = await openSite(t);
  await login(s.app, 'admin');
  const { b } = await member(s, 'bea');
  await b.post('/logout', {}, { csrfFrom: '/account' });
  // bea logs in from her address once
  const good = await b.post('/login', { username: 'bea', password: 'correct horse' }, { csrfFrom: '/login' });
  assert.equal(good.statusCode, 303);
  // an attacker from many addresses guesses her password
  for (let i = 0; i < 12; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { username: 'bea', password: `guess ${i}` },
      remoteAddress: `198.51.100.${i + 1}`,
    });
    assert.equal(res.statusCode, i < 10 ? 401 : 429, `guess ${i}: ${res.body}`);
    if (i >= 10) assert.equal(res.json().error.code, 'AUTH_LOCKED');
  }
  // even the right password is refused from a new address while locked...
  const attacker = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'bea', password: 'correct horse' },
    remoteAddress: '198.51.100.200',
  });
  assert.equal(attacker.statusCode, 429);
  assert.equal(attacker.json().error.code, 'AUTH_LOCKED');
  // ...while bea, from her usual address, logs in through the page
  const fresh = new Browser(s.app);
  const again = await fresh.post(
    '/login',
    { username: 'bea', password: 'correct horse' },
    { csrfFrom: '/login' },
  );
  assert.equal(again.statusCode, 303, again.body);
});
