/**
 * The site admin's API through `app.inject()` on a real SQLite file (issue 19): the settings (read,
 * change, validation naming the field, admins only), the public `GET /api/v1/site`, the first
 * account becoming the admin whatever the registration mode, closed / invite-only / approval
 * registration, roles including moderator (a moderator takes an item down and reads reports but
 * cannot change settings or roles), per-account quota, and the last admin never demoted (409).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPagesSite } from '../../../test/pages-fixtures.js';
import { multipart, type TestSite } from '../../../test/site-fixtures.js';

const PASSWORD = 'correct horse';

function register(s: TestSite, username: string, extra: Record<string, string> = {}) {
  return s.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username, password: PASSWORD, ...extra },
  });
}

async function token(s: TestSite, username: string): Promise<Record<string, string>> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username, password: PASSWORD },
  });
  assert.equal(res.statusCode, 201, res.body);
  return { authorization: `Bearer ${res.json().token}` };
}

const patchSettings = (s: TestSite, auth: Record<string, string>, payload: unknown) =>
  s.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings', headers: auth, payload: payload as object });

test('the first account becomes the admin even when registration is closed; then registration is closed', async (t) => {
  const s = await openPagesSite(t);
  await s.site.siteSettings!.update({ registration: 'closed' });
  const first = await register(s, 'root');
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().role, 'admin');
  const second = await register(s, 'bob');
  assert.equal(second.statusCode, 403, second.body);
  assert.equal(second.json().error.code, 'REGISTRATION_CLOSED');
  const site = await s.app.inject({ method: 'GET', url: '/api/v1/site' });
  assert.equal(site.statusCode, 200);
  assert.equal(site.json().registration, 'closed');
  assert.equal(site.json().name, 'Seedcast');
});

test('settings: admins read and change them; bad values are 400 naming the field; others 401/403', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  await register(s, 'bob');
  const root = await token(s, 'root');
  const bob = await token(s, 'bob');
  const got = await s.app.inject({ method: 'GET', url: '/api/v1/admin/settings', headers: root });
  assert.equal(got.statusCode, 200, got.body);
  assert.equal(got.json().registration, 'open');
  assert.equal(got.json().p2pDefault, 'on');
  assert.equal(got.json().userQuotaSource, 'config');

  const changed = await patchSettings(s, root, {
    name: 'Radio Commons',
    description: 'Community radio shows.',
    about: '# Hello\n\nWe *share*.',
    contact: 'admin@example.org',
    defaultLicense: 'CC-BY-4.0',
    userQuotaBytes: 1_000_000,
    p2pDefault: 'off',
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().name, 'Radio Commons');
  assert.equal(changed.json().userQuotaBytes, 1_000_000);
  assert.equal(changed.json().userQuotaSource, 'settings');
  assert.equal(changed.json().p2pDefault, 'off');
  const pub = (await s.app.inject({ method: 'GET', url: '/api/v1/site' })).json();
  assert.deepEqual(pub, {
    name: 'Radio Commons',
    description: 'Community radio shows.',
    registration: 'open',
    contact: 'admin@example.org',
    defaultLicense: 'CC-BY-4.0',
  });
  // The default quota now comes from the settings.
  const bobUser = (await s.site.users.byName('bob'))!;
  assert.equal(await s.site.guard!.quotaOf(bobUser), 1_000_000);

  for (const [payload, field] of [
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(81) }, 'name'],
    [{ registration: 'sometimes' }, 'registration'],
    [{ contact: 'not an address' }, 'contact'],
    [{ userQuotaBytes: -5 }, 'userQuotaBytes'],
    [{ p2pDefault: 'maybe' }, 'p2pDefault'],
  ] as const) {
    const res = await patchSettings(s, root, payload);
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
    assert.match(res.json().error.message, new RegExp(`${field}:`), res.body);
  }
  assert.equal(
    (await s.app.inject({ method: 'GET', url: '/api/v1/admin/settings', headers: bob })).statusCode,
    403,
  );
  assert.equal((await patchSettings(s, bob, { name: 'Mine' })).statusCode, 403);
  assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/admin/settings' })).statusCode, 401);
  // Nothing changed by the refused requests.
  assert.equal((await s.site.siteSettings!.profile()).name, 'Radio Commons');
});

test('roles: a moderator takes items down and reads reports, but cannot change settings or roles; the last admin stays', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  await register(s, 'mo');
  await register(s, 'bob');
  const root = await token(s, 'root');
  const bob = await token(s, 'bob');
  const made = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/mo',
    headers: root,
    payload: { role: 'moderator', quotaBytes: 5_000_000 },
  });
  assert.equal(made.statusCode, 200, made.body);
  assert.equal(made.json().user.role, 'moderator');
  assert.equal(made.json().user.quota, 5_000_000);
  const mo = await token(s, 'mo');

  const body = multipart([
    { name: 'title', value: 'Something' },
    { name: 'file', filename: 'a.txt', value: 'bytes '.repeat(50) },
  ]);
  const item = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...bob },
    payload: body.payload,
  });
  assert.equal(item.statusCode, 201, item.body);
  const id = item.json().id;
  const byBob = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${id}/takedown`,
    headers: bob,
    payload: { reason: 'no' },
  });
  assert.equal(byBob.statusCode, 403, 'a user cannot take down');
  const down = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${id}/takedown`,
    headers: mo,
    payload: { reason: 'copyright' },
  });
  assert.equal(down.statusCode, 200, down.body);
  assert.equal((await s.site.items.get(id))!.status, 'taken_down');
  assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/reports', headers: mo })).statusCode, 200);
  assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/reports', headers: bob })).statusCode, 403);

  assert.equal((await patchSettings(s, mo, { name: 'Mo site' })).statusCode, 403);
  const promote = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/mo',
    headers: mo,
    payload: { role: 'admin' },
  });
  assert.equal(promote.statusCode, 403, 'a moderator cannot change roles');
  assert.equal(
    (await s.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: mo })).statusCode,
    403,
  );

  // The last admin can be neither demoted nor disabled.
  for (const payload of [{ role: 'user' }, { role: 'moderator' }, { disabled: true }]) {
    const res = await s.app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/root',
      headers: root,
      payload,
    });
    assert.equal(res.statusCode, 409, `${JSON.stringify(payload)}: ${res.body}`);
    assert.equal(res.json().error.code, 'LAST_ADMIN');
  }
  // With a second admin, the first may step down.
  await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/bob',
    headers: root,
    payload: { role: 'admin' },
  });
  const stepDown = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/root',
    headers: root,
    payload: { role: 'user' },
  });
  assert.equal(stepDown.statusCode, 200, stepDown.body);

  const list = await s.app.inject({ method: 'GET', url: '/api/v1/admin/users?q=O', headers: bob });
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(
    list.json().users.map((u: { username: string; role: string }) => [u.username, u.role]),
    [
      ['bob', 'admin'],
      ['mo', 'moderator'],
      ['root', 'user'],
    ],
  );
  const bad = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/mo',
    headers: bob,
    payload: { role: 'owner' },
  });
  assert.equal(bad.statusCode, 400, bad.body);
});

test('invite-only: a single-use code from an admin; without one, 403', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  const root = await token(s, 'root');
  await patchSettings(s, root, { registration: 'invite' });
  const none = await register(s, 'bob');
  assert.equal(none.statusCode, 403, none.body);
  assert.equal(none.json().error.code, 'INVITE_INVALID');
  const wrong = await register(s, 'bob', { invite: 'made-up' });
  assert.equal(wrong.statusCode, 403);
  const invite = await s.app.inject({ method: 'POST', url: '/api/v1/admin/invites', headers: root });
  assert.equal(invite.statusCode, 201, invite.body);
  const { code, url } = invite.json();
  assert.match(url, new RegExp(`/register\\?invite=${code}$`));
  const ok = await register(s, 'bob', { invite: code });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().role, 'user');
  const again = await register(s, 'carol', { invite: code });
  assert.equal(again.statusCode, 403, 'a code works once');
  assert.equal(await s.site.users.byName('carol'), undefined);
});

test('approval: a new account waits; it cannot get a token until an admin approves it; rejecting removes it', async (t) => {
  const s = await openPagesSite(t);
  await register(s, 'root');
  const root = await token(s, 'root');
  await patchSettings(s, root, { registration: 'approval' });
  const carol = await register(s, 'carol');
  assert.equal(carol.statusCode, 201, carol.body);
  assert.equal(carol.json().pending, true);
  const early = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'carol', password: PASSWORD },
  });
  assert.equal(early.statusCode, 403, early.body);
  assert.equal(early.json().error.code, 'ACCOUNT_PENDING');
  const listed = (await s.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: root })).json();
  assert.equal(listed.users[0].username, 'carol', 'pending accounts come first');
  assert.ok(listed.users[0].pendingSince > 0);
  const approve = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/carol',
    headers: root,
    payload: { approved: true },
  });
  assert.equal(approve.statusCode, 200, approve.body);
  assert.equal(approve.json().user.pendingSince, null);
  await token(s, 'carol');
  await register(s, 'dave');
  const reject = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/users/dave',
    headers: root,
    payload: { approved: false },
  });
  assert.equal(reject.statusCode, 200, reject.body);
  assert.equal(reject.json().user, null);
  assert.equal(await s.site.users.byName('dave'), undefined);
});
