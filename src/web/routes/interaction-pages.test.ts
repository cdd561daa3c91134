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
import { login, multipart, openTestSite, type TestSite } from '../../../test/site-fixtures.js';
import type { CommunityRepository } from '../../catalog/index.js';
import { openDatabase } from '../../db/index.js';

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
  assert.equal(reply.headers.location, `/items/${id}?thread=1#comment-2`, 'a reply lands on its thread');
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

test('comment forms: authors edit and delete, admins delete with a reason, disable and enable accounts', async (t) => {
  const { s, app, community } = await openSite(t);
  await login(app, 'root');
  await login(app, 'ada');
  await login(app, 'bob');
  const owner = (await s.site.users.byName('ada'))!;
  const item = await s.site.items.create({
    ownerId: owner.id,
    title: 'Forms',
    files: [{ path: 'f.bin', length: 1 }],
    status: 'ready',
  });
  const id = item.id;
  const post = (url: string, fields: Record<string, string>, cookie?: string) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      payload: new URLSearchParams(fields).toString(),
    });
  const ada = await sessionFor(s, app, 'ada');
  const bob = await sessionFor(s, app, 'bob');
  const root = await sessionFor(s, app, 'root');
  const view = async (who?: { cookie: string }, query = '') =>
    (
      await app.inject({
        method: 'GET',
        url: `/items/${id}${query}`,
        headers: who ? { cookie: who.cookie } : {},
      })
    ).body;

  const old = await community.addComment({
    itemId: id,
    userId: owner.id,
    parentId: null,
    body: 'old thread',
  });
  for (let i = 0; i < 60; i++)
    await community.addComment({ itemId: id, userId: owner.id, parentId: null, body: `newer ${i}` });
  const reply = await post(
    `/items/${id}/comments`,
    { _csrf: bob.csrf, body: 'late reply', parent: String(old.id) },
    bob.cookie,
  );
  assert.equal(reply.statusCode, 303);
  const location = String(reply.headers.location);
  assert.match(location, new RegExp(`^/items/${id}\\?thread=${old.id}#comment-(\\d+)$`));
  const replyId = Number(/#comment-(\d+)$/.exec(location)![1]);
  assert.doesNotMatch(
    await view(),
    new RegExp(`id="comment-${replyId}"`),
    'an old thread is not on the first page',
  );
  const threadPage = await view(undefined, `?thread=${old.id}`);
  assert.match(threadPage, new RegExp(`id="comment-${old.id}".*id="comment-${replyId}"`, 's'));
  assert.match(threadPage, /id="newest-comments"/);

  const first = await view(ada);
  const older = /<a href="([^"]+)" rel="next" id="older-comments">/.exec(first);
  assert.ok(older, 'an "Older comments" link');
  assert.match(
    await view(ada, older[1]!.replace('&amp;', '&').replace(`/items/${id}`, '').replace(/#.*/, '')),
    new RegExp(`id="comment-${old.id}"`),
  );

  // bob edits his reply; ada cannot; the page says "edited".
  const edit = `/items/${id}/comments/${replyId}/edit`;
  assert.equal((await post(edit, { _csrf: ada.csrf, body: 'hijack' }, ada.cookie)).statusCode, 403);
  assert.equal((await post(edit, { body: 'no csrf' }, bob.cookie)).statusCode, 403);
  assert.equal((await post(edit, { _csrf: bob.csrf, body: 'a better reply' }, bob.cookie)).statusCode, 303);
  assert.match(await view(bob, `?thread=${old.id}`), /edited.*<p>a better reply<\/p>/s);
  assert.match(
    await view(bob, `?thread=${old.id}`),
    new RegExp(`action="/items/${id}/comments/${replyId}/edit"`),
  );

  // ada deletes her thread's top comment: it has a reply, so it stays as [deleted].
  const del = (commentId: number) => `/items/${id}/comments/${commentId}/delete`;
  assert.equal((await post(del(old.id), { _csrf: bob.csrf }, bob.cookie)).statusCode, 403);
  assert.equal((await post(del(old.id), { _csrf: ada.csrf }, ada.cookie)).statusCode, 303);
  assert.match(
    await view(undefined, `?thread=${old.id}`),
    /class="comment deleted".*\[deleted\].*a better reply/s,
  );
  // root deletes bob's reply with a reason; it is in the audit log, on the admin page.
  assert.equal(
    (await post(del(replyId), { _csrf: root.csrf, reason: 'off-topic' }, root.cookie)).statusCode,
    303,
  );
  assert.doesNotMatch(await view(undefined, `?thread=${old.id}`), /a better reply/);

  // Accounts: bob is disabled from the admin page and loses his session at once.
  assert.equal(
    (await post('/admin/users/disable', { _csrf: bob.csrf, username: 'ada' }, bob.cookie)).statusCode,
    403,
  );
  const disabled = await post(
    '/admin/users/disable',
    { _csrf: root.csrf, username: 'bob', reason: 'spam' },
    root.cookie,
  );
  assert.equal(disabled.headers.location, '/admin?done=disabled');
  const commented = await post(`/items/${id}/comments`, { _csrf: bob.csrf, body: 'still here?' }, bob.cookie);
  assert.match(String(commented.headers.location), /^\/login/, 'the session no longer counts');
  const admin = (await app.inject({ method: 'GET', url: '/admin', headers: { cookie: root.cookie } })).body;
  assert.match(admin, /action="\/admin\/users\/bob\/enable"/);
  assert.match(admin, /<code>user.disable<\/code>.*bob.*spam/s);
  assert.match(admin, /<code>comment.delete<\/code>.*off-topic/s);
  const audit = await app.inject({ method: 'GET', url: '/admin/audit', headers: { cookie: root.cookie } });
  assert.equal(audit.statusCode, 200);
  assert.match(audit.body, /<table class="list" id="audit-log">/);
  assert.equal(
    (await app.inject({ method: 'GET', url: '/admin/audit', headers: { cookie: ada.cookie } })).statusCode,
    403,
  );
  assert.equal((await post('/admin/users/bob/enable', { _csrf: root.csrf }, root.cookie)).statusCode, 303);
  const back = await post(`/items/${id}/comments`, { _csrf: bob.csrf, body: 'back' }, bob.cookie);
  assert.match(
    String(back.headers.location),
    new RegExp(`^/items/${id}#comment-`),
    'enabled: the session works again',
  );
});
