/**
 * The accounts API of issue 19 against a real SMTP server on loopback (aiosmtpd): an address added,
 * mailed a link, verified once; a password reset by mail for a verified address only, the same 202
 * for any name; export contents and download headers; deleting an account with its items removed
 * (files gone) or handed to the site (the first admin); the last admin refused; an admin's one-time
 * reset link that works once (audited); wrong, used and expired tokens refused with 400.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { AccountTokenRepository } from '../src/catalog/index.js';
import { openDatabase } from '../src/db/index.js';
import { linkIn, requireAiosmtpd, startSmtp } from './helpers/smtp.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

const NO_LIMITS = { actions: { 'account-mails': null, 'password-changes': null } } as const;

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-accounts-api-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const smtp = await startSmtp(t);
  const s = await openTestSite(db, {
    limits: NO_LIMITS,
    mail: { smtpUrl: smtp.url, mailFrom: 'Test site <site@example.org>' },
  });
  t.after(async () => {
    await s.close();
    await db.destroy();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const publish = async (auth: Record<string, string>, title: string) => {
    const body = multipart([
      { name: 'title', value: title },
      { name: 'file', filename: `${title}.ogg`, value: Buffer.alloc(30_000, title.length) },
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      payload: body.payload,
      headers: { ...body.headers, ...auth },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: number };
  };
  const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
  return { s, smtp, db, publish, tokenOf };
}

const code = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

test('email: set, verified once by the mailed link; resets go only to a verified address', async (t) => {
  if (!requireAiosmtpd(t)) return;
  const { s, smtp, tokenOf } = await setup(t);
  await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const bad = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/account/email',
    headers: ada,
    payload: { email: 'nope' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /email: /);
  const set = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/account/email',
    headers: ada,
    payload: { email: ' Ada@Example.ORG ' },
  });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(set.json(), { email: 'ada@example.org', verified: false, verificationSent: true });
  // not verified yet: a reset request sends nothing
  const early = await s.app.inject({
    method: 'POST',
    url: '/api/v1/password-resets',
    payload: { username: 'ada' },
  });
  assert.equal(early.statusCode, 202);
  const mail = await smtp.waitFor('ada@example.org');
  assert.match(mail.raw, /^From: Test site <site@example\.org>/m);
  assert.match(mail.raw, /Subject: Verify your email address/);
  const link = linkIn(mail, '/verify-email');
  assert.ok(link.startsWith('http://site.test/verify-email?token='), link);
  await s.site.accounts?.mail.settled();
  assert.equal(smtp.messages().length, 1, 'no reset mail for an unverified address');

  const verify = (token: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/account/email/verify', payload: { token } });
  assert.equal((await verify(tokenOf(link))).statusCode, 200);
  const again = await verify(tokenOf(link));
  assert.equal(again.statusCode, 400);
  assert.equal(code(again), 'ACCOUNT_TOKEN_INVALID');
  assert.equal((await verify('x'.repeat(43))).statusCode, 400);

  // the same answer for an unknown name, a known one and an address
  for (const payload of [
    { username: 'nobody' },
    { email: 'nobody@example.org' },
    { email: 'ADA@example.org' },
  ]) {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/password-resets', payload });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(Object.keys(res.json()), ['status']);
  }
  const reset = await smtp.waitFor('ada@example.org', { count: 2 });
  assert.match(reset.raw, /Subject: Reset your password/);
  await s.site.accounts?.mail.settled();
  assert.equal(smtp.messages().length, 2, 'one reset mail, only to the verified address');
  const confirm = (token: string, password: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/password-resets/confirm', payload: { token, password } });
  const token = tokenOf(linkIn(reset, '/reset-password'));
  const weak = await confirm(token, 'short');
  assert.equal(weak.statusCode, 400);
  assert.match(weak.json().error.message, /password: /);
  assert.equal((await confirm(token, 'a brand new password')).statusCode, 204);
  assert.equal((await confirm(token, 'yet another password')).statusCode, 400);
  const old = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'ada', password: 'correct horse' },
  });
  assert.equal(old.statusCode, 401);
  const fresh = await s.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { username: 'ada', password: 'a brand new password' },
  });
  assert.equal(fresh.statusCode, 201);
  // the API token made before the reset still works (documented)
  assert.equal((await s.app.inject({ url: '/api/v1/account/export', headers: ada })).statusCode, 200);
  // another account cannot claim the verified address
  const bob = await login(s.app, 'bob');
  const taken = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/account/email',
    headers: bob,
    payload: { email: 'ada@example.org' },
  });
  assert.equal(taken.statusCode, 409);
  assert.equal(code(taken), 'EMAIL_TAKEN');
});

test('export, delete with items removed or transferred, the last admin stays', async (t) => {
  if (!requireAiosmtpd(t)) return;
  const { s, publish } = await setup(t);
  const root = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const adaItem = await publish(ada, 'kingfisher');
  const bobItem = await publish(bob, 'heron');
  const comment = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${bobItem.id}/comments`,
    headers: ada,
    payload: { body: 'Lovely heron.' },
  });
  assert.equal(comment.statusCode, 201, comment.body);

  const exported = await s.app.inject({ url: '/api/v1/account/export', headers: ada });
  assert.equal(exported.statusCode, 200);
  assert.match(
    String(exported.headers['content-disposition']),
    /^attachment; filename="seedcast-ada-\d{4}-\d\d-\d\d\.json"$/,
  );
  const data = exported.json();
  assert.equal(data.profile.username, 'ada');
  assert.deepEqual(
    data.items.map((i: { title: string; url: string }) => [i.title, i.url]),
    [['kingfisher', `http://site.test/items/${adaItem.id}`]],
  );
  assert.equal(data.items[0].files[0].path, 'kingfisher.ogg');
  assert.deepEqual(
    data.comments.map((c: { body: string }) => c.body),
    ['Lovely heron.'],
  );
  assert.ok(Array.isArray(data.favourites) && Array.isArray(data.collections));
  assert.equal((await s.app.inject({ url: '/api/v1/account/export' })).statusCode, 401);

  const del = (auth: Record<string, string>, payload: object) =>
    s.app.inject({ method: 'DELETE', url: '/api/v1/account', headers: auth, payload });
  assert.equal((await del(ada, { password: 'wrong password', items: 'delete' })).statusCode, 401);
  assert.equal((await del(ada, { password: 'correct horse', items: 'keep' })).statusCode, 400);
  const last = await del(root, { password: 'correct horse', items: 'transfer' });
  assert.equal(last.statusCode, 409);
  assert.equal(code(last), 'LAST_ADMIN');

  // "delete": the item is gone, its blobs too, its seeding stopped
  const before = await s.site.items.get(adaItem.id);
  const keys = [...before!.files.map((f) => f.blobKey), before!.torrentKey].filter((k): k is string => !!k);
  assert.ok(keys.length >= 2);
  const gone = await del(ada, { password: 'correct horse', items: 'delete' });
  assert.equal(gone.statusCode, 204, gone.body);
  assert.equal((await s.app.inject({ url: `/api/v1/items/${adaItem.id}` })).statusCode, 404);
  for (const key of keys) assert.equal(await s.site.blobs.head(key), undefined, key);
  assert.equal((await s.app.inject({ url: '/api/v1/account/export', headers: ada })).statusCode, 401);
  const comments = await s.app.inject({ url: `/api/v1/items/${bobItem.id}/comments` });
  assert.equal(comments.json().comments.length, 0);

  // "transfer": Bob's item now belongs to root, and is still served
  assert.equal((await del(bob, { password: 'correct horse', items: 'transfer' })).statusCode, 204);
  const moved = await s.site.items.get(bobItem.id);
  assert.equal(moved?.ownerId, (await s.site.users.byName('root'))!.id);
  assert.equal((await s.app.inject({ url: `/api/v1/items/${bobItem.id}` })).statusCode, 200);
  assert.equal(existsSync(s.dir), true);
});

test("an admin's one-time reset link works once; admins only; audited", async (t) => {
  if (!requireAiosmtpd(t)) return;
  const { s, db, tokenOf } = await setup(t);
  const root = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const make = (auth: Record<string, string>, name: string) =>
    s.app.inject({ method: 'POST', url: `/api/v1/admin/users/${name}/reset-link`, headers: auth });
  assert.equal((await make(ada, 'root')).statusCode, 403);
  assert.equal((await make(root, 'nobody')).statusCode, 404);
  const first = await make(root, 'ada');
  assert.equal(first.statusCode, 200, first.body);
  const second = (await make(root, 'ada')).json();
  assert.ok(second.url.startsWith('http://site.test/reset-password?token='));
  assert.ok(Date.parse(second.expiresAt) > Date.now() + 59 * 60_000);
  const confirm = (url: string, password: string) =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/password-resets/confirm',
      payload: { token: tokenOf(url), password },
    });
  // the older link stopped working when the newer was made
  assert.equal((await confirm(first.json().url, 'first new password')).statusCode, 400);
  assert.equal((await confirm(second.url, 'second new password')).statusCode, 204);
  assert.equal((await confirm(second.url, 'third new password')).statusCode, 400);
  const log = await s.app.inject({ url: '/api/v1/admin/audit', headers: root });
  if (log.statusCode === 200) assert.ok(JSON.stringify(log.json()).includes('user.reset-link'), log.body);
  // expired: an hour and a second later the link is refused
  const third = (await make(root, 'ada')).json();
  const expired = new AccountTokenRepository(db, { now: () => Date.now() + 3_601_000 });
  await assert.rejects(expired.resetPassword(tokenOf(third.url), 'late password'), /invalid link/);
  const late = await s.app.inject({
    method: 'POST',
    url: '/api/v1/password-resets/confirm',
    payload: { token: 'A'.repeat(43), password: 'late password' },
  });
  assert.equal(late.statusCode, 400);
  assert.equal(code(late), 'ACCOUNT_TOKEN_INVALID');
});
