/**
 * The item page's comments, favourite button and report form, the user page's favourites and the
 * admin page's reports, through `app.inject()` on a real SQLite site (the catalog's
 * `CommunityRepository` behind the pages' `Community` port): log in first, CSRF, validation, 303
 * back to the item, replies threaded, bodies inert.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { CommunityRepository } from '../src/catalog/index.js';
import { openDatabase } from '../src/db/index.js';
import { login, multipart, openTestSite, type TestSite } from './site-fixtures.js';

async function openSite(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-community-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s: TestSite = await openTestSite(db);
  const community = s.site.community as CommunityRepository;
  const app = s.app;
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return { s, app, community };
}

async function sessionFor(s: TestSite, app: FastifyInstance, username: string) {
  const user = (await s.site.users.byName(username))!;
  const { cookie } = await s.site.sessions.create(user.id);
  const page = await app.inject({ method: 'GET', url: '/', headers: { cookie: `sc_session=${cookie}` } });
  return {
    cookie: `sc_session=${cookie}`,
    csrf: /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!,
  };
}

test('comments thread, favourites toggle, reports reach the admin page; all need CSRF', async (t) => {
  const { s, app, community } = await openSite(t);
  await login(app, 'root');
  const ada = await login(app, 'ada');
  const body = multipart([
    { name: 'title', value: 'Talk' },
    { name: 'file', filename: 'talk.txt', value: 'words' },
  ]);
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...ada },
    payload: body.payload,
  });
  const { id } = created.json();
  const post = (url: string, fields: Record<string, string>, cookie?: string) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      payload: new URLSearchParams(fields).toString(),
    });

  const anonymous = await app.inject({ method: 'GET', url: `/items/${id}` });
  assert.match(anonymous.body, /href="\/login\?next=%2Fitems%2F\d+%23comments">Log in<\/a> to/);
  assert.match(anonymous.body, /<span id="favourite-count">0<\/span>/);
  const noAccount = await post(`/items/${id}/comments`, { body: 'hi' });
  assert.equal(noAccount.statusCode, 303);
  assert.equal(noAccount.headers.location, `/login?next=%2Fitems%2F${id}`);

  const me = await sessionFor(s, app, 'ada');
  assert.equal(
    (await post(`/items/${id}/comments`, { body: 'hi' }, me.cookie)).statusCode,
    403,
    'no CSRF field',
  );
  assert.equal(
    (await post(`/items/${id}/comments`, { _csrf: me.csrf, body: '  ' }, me.cookie)).statusCode,
    400,
  );
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  const first = await post(`/items/${id}/comments`, { _csrf: me.csrf, body: evil }, me.cookie);
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, `/items/${id}#comment-1`);
  const reply = await post(
    `/items/${id}/comments`,
    { _csrf: me.csrf, body: 'a reply', parent: '1' },
    me.cookie,
  );
  assert.equal(reply.headers.location, `/items/${id}#comment-2`);
  assert.equal(
    (await post(`/items/${id}/comments`, { _csrf: me.csrf, body: 'x', parent: '77' }, me.cookie)).statusCode,
    400,
  );
  assert.equal((await post('/items/999/comments', { _csrf: me.csrf, body: 'x' }, me.cookie)).statusCode, 404);

  assert.equal(
    (await post(`/items/${id}/favourite`, { _csrf: me.csrf, favourite: '1' }, me.cookie)).statusCode,
    303,
  );
  let page = await app.inject({ method: 'GET', url: `/items/${id}`, headers: { cookie: me.cookie } });
  assert.match(
    page.body,
    /<li class="comment" id="comment-1">.*<ol class="comment-replies"><li class="comment" id="comment-2">/s,
  );
  assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(page.body, /<script>alert|<img src=x/);
  assert.match(page.body, /<span id="favourite-count">1<\/span>/);
  assert.match(page.body, /aria-pressed="true"/);
  const profile = await app.inject({ method: 'GET', url: '/users/ada' });
  assert.match(
    profile.body,
    /<ul class="item-grid" id="user-favourites"><li class="item-card" data-item-id="\d+"><h3><a href="\/items\/\d+">Talk<\/a>/,
  );
  await post(`/items/${id}/favourite`, { _csrf: me.csrf, favourite: '0' }, me.cookie);
  assert.match((await app.inject({ method: 'GET', url: '/users/ada' })).body, /No favourites yet/);
  page = await app.inject({ method: 'GET', url: `/items/${id}`, headers: { cookie: me.cookie } });
  assert.match(page.body, /<span id="favourite-count">0<\/span>/);

  const visitor = await app.inject({ method: 'GET', url: '/' });
  const visitorCookie = String(visitor.headers['set-cookie']).split(';')[0]!;
  const visitorCsrf = /<meta name="csrf-token" content="([^"]+)"/.exec(visitor.body)![1]!;
  assert.equal(
    (await post(`/items/${id}/report`, { _csrf: visitorCsrf, reason: 'nonsense' }, visitorCookie)).statusCode,
    400,
  );
  const reported = await post(
    `/items/${id}/report`,
    { _csrf: visitorCsrf, reason: 'copyright', details: 'my song' },
    visitorCookie,
  );
  assert.equal(reported.headers.location, `/items/${id}?reported=1#report-sent`);
  assert.equal((await community.openReports())[0]!.reason, 'Copyright infringement: my song');

  const root = await sessionFor(s, app, 'root');
  const admin = await app.inject({ method: 'GET', url: '/admin', headers: { cookie: root.cookie } });
  assert.match(admin.body, /Open reports \(1\)/);
  assert.match(admin.body, /action="\/admin\/reports\/1\/resolve"/);
  assert.equal((await post('/admin/reports/1/resolve', { _csrf: root.csrf }, root.cookie)).statusCode, 303);
  assert.match(
    (await app.inject({ method: 'GET', url: '/admin', headers: { cookie: root.cookie } })).body,
    /No open reports/,
  );
});
