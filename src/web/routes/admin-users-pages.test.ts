/**
 * The site admin's pages through `app.inject()` on a real SQLite file (issue 19): `/admin/settings`
 * and `/admin/users` for admins only (visitors sent to log in, moderators and users 403); the users
 * page changes a role with the CSRF field (refused without it), refuses demoting the last admin,
 * approves a pending registration and creates an invite shown once; the register page under invite
 * and approval modes; a pending account's login says it awaits approval; a moderator opens `/admin`.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, openPagesSite, pageSession } from '../../../test/pages-fixtures.js';
import type { TestSite } from '../../../test/site-fixtures.js';

/** A visitor's cookie and CSRF token (no account). */
async function visitor(s: TestSite) {
  const page = await s.app.inject({ method: 'GET', url: '/register' });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
  const set = page.headers['set-cookie'];
  const cookie = (Array.isArray(set) ? set : [set ?? '']).map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf };
}

function post(
  s: TestSite,
  url: string,
  who: { cookie: string; csrf: string },
  fields: Record<string, string>,
) {
  const f = form({ _csrf: who.csrf, ...fields });
  return s.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': f['content-type'] },
    payload: f.payload,
  });
}

const register = (s: TestSite, username: string) =>
  s.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, password: 'correct horse' } });

test('admin pages: admins only; roles with CSRF; the last admin stays; moderators get /admin but not settings', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  await register(s, 'mo');
  const root = await pageSession(s, 'root');
  for (const url of ['/admin/settings', '/admin/users']) {
    const anonymous = await s.app.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 303, url);
    assert.equal(anonymous.headers.location, `/login?next=${encodeURIComponent(url)}`);
    const page = await s.app.inject({ method: 'GET', url, headers: { cookie: root.cookie } });
    assert.equal(page.statusCode, 200, url);
  }
  const users = await s.app.inject({
    method: 'GET',
    url: '/admin/users?q=m',
    headers: { cookie: root.cookie },
  });
  assert.match(users.body, /id="user-mo"/);
  assert.doesNotMatch(users.body, /id="user-root"/);
  assert.match(users.body, /action="\/admin\/users\/mo\/reset-link"/);

  const noCsrf = await post(
    s,
    '/admin/users/mo',
    { ...root, csrf: 'wrong' },
    { do: 'role', role: 'moderator' },
  );
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await s.site.users.byName('mo'))!.role, 'user');
  const made = await post(s, '/admin/users/mo', root, { do: 'role', role: 'moderator' });
  assert.equal(made.statusCode, 303, made.body);
  assert.equal((await s.site.users.byName('mo'))!.role, 'moderator');
  const last = await post(s, '/admin/users/root', root, { do: 'role', role: 'user' });
  assert.equal(last.statusCode, 409);
  assert.match(last.body, /at least one admin/);
  const quota = await post(s, '/admin/users/mo', root, { do: 'quota', quotaMiB: '2' });
  assert.equal(quota.statusCode, 303);
  assert.equal(await s.site.quotas!.quotaOf((await s.site.users.byName('mo'))!.id), 2 * 1024 ** 2);

  const mo = await pageSession(s, 'mo');
  assert.equal(
    (await s.app.inject({ method: 'GET', url: '/admin', headers: { cookie: mo.cookie } })).statusCode,
    200,
  );
  for (const url of ['/admin/settings', '/admin/users'])
    assert.equal(
      (await s.app.inject({ method: 'GET', url, headers: { cookie: mo.cookie } })).statusCode,
      403,
      url,
    );
  const home = await s.app.inject({ method: 'GET', url: '/', headers: { cookie: mo.cookie } });
  assert.match(home.body, /href="\/admin"/);
  assert.doesNotMatch(home.body, /href="\/admin\/settings"/);
  const saved = await post(s, '/admin/settings', root, {
    name: 'Site',
    description: '',
    about: '',
    registration: 'invite',
    defaultLicense: '',
    contact: '',
    userQuotaMiB: '',
    maxUploadMiB: '',
    p2pDefault: 'on',
  });
  assert.equal(saved.statusCode, 303, saved.body);
  const bad = await post(s, '/admin/settings', root, { name: '', registration: 'open' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /name: must not be empty/);
});

test('invite and approval on the register page; a pending login is told to wait', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  const root = await pageSession(s, 'root');
  await s.site.siteSettings!.update({ registration: 'invite' });
  const invitePage = await s.app.inject({
    method: 'POST',
    url: '/admin/invites',
    ...form({ _csrf: root.csrf }),
    headers: { cookie: root.cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(invitePage.statusCode, 201, invitePage.body);
  const code = /New invite code <code>([^<]+)<\/code>/.exec(invitePage.body)![1]!;
  const v = await visitor(s);
  const page = await s.app.inject({ method: 'GET', url: `/register?invite=${code}` });
  assert.match(page.body, new RegExp(`name="invite"[^>]*value="${code}"|value="${code}"[^>]*name="invite"`));
  const without = await post(s, '/register', v, {
    username: 'bob',
    password: 'correct horse',
    confirm: 'correct horse',
  });
  assert.equal(without.statusCode, 403);
  assert.match(without.body, /invite code is missing, used or unknown/);
  const withCode = await post(s, '/register', v, {
    username: 'bob',
    password: 'correct horse',
    confirm: 'correct horse',
    invite: code,
  });
  assert.equal(withCode.statusCode, 303, withCode.body);

  await s.site.siteSettings!.update({ registration: 'approval' });
  const v2 = await visitor(s);
  const pending = await post(s, '/register', v2, {
    username: 'carol',
    password: 'correct horse',
    confirm: 'correct horse',
  });
  assert.equal(pending.statusCode, 201);
  assert.match(pending.body, /An admin of this site approves new accounts/);
  const login = await post(s, '/login', v2, { username: 'carol', password: 'correct horse' });
  assert.equal(login.statusCode, 403);
  assert.match(login.body, /waiting for an admin of this site to approve it/);
  const list = await s.app.inject({ method: 'GET', url: '/admin/users', headers: { cookie: root.cookie } });
  assert.match(list.body, /id="user-carol"[\s\S]*?value="approve"/);
  const approve = await post(s, '/admin/users/carol', root, { do: 'approve' });
  assert.equal(approve.statusCode, 303);
  const again = await post(s, '/login', v2, { username: 'carol', password: 'correct horse' });
  assert.equal(again.statusCode, 303, again.body);
});
