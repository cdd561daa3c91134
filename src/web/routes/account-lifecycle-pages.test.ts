/**
 * The account pages of issue 19 without a mail server (`app.inject()`, real SQLite): "forgot
 * password" says to ask an admin; the admin page's form and the users page's route make a one-time
 * link shown once, which opens the reset form and works once; a bad link says so; the export
 * downloads as a JSON attachment; deleting needs the password, the last admin is told why not, and a
 * deleted account's session ends. Every form carries the CSRF token.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Browser, openPagesSite } from '../../../test/pages-fixtures.js';

const register = (b: Browser, username: string) =>
  b.post(
    '/register',
    { username, password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );

test('without mail: admin reset links, the reset form, export and deletion through the pages', async (t) => {
  const s = await openPagesSite(t);
  const root = new Browser(s.app);
  const ada = new Browser(s.app);
  assert.equal((await register(root, 'root')).statusCode, 303);
  assert.equal((await register(ada, 'ada')).statusCode, 303);

  const login = await new Browser(s.app).get('/login');
  assert.match(login.body, /href="\/forgot-password"[^>]*>\s*Forgot your password\?/);
  const forgot = await new Browser(s.app).get('/forgot-password');
  assert.match(forgot.body, /id="no-mail"/);
  assert.match((await ada.get('/account')).body, /href="\/account\/export\.json"/);

  // only admins, with the CSRF token
  assert.equal(
    (await ada.post('/admin/users/root/reset-link', {}, { csrfFrom: '/account' })).statusCode,
    403,
  );
  assert.equal((await root.post('/admin/users/ada/reset-link', {})).statusCode, 403);
  assert.match((await root.get('/admin')).body, /action="\/admin\/reset-link"/);
  const made = await root.post('/admin/reset-link', { username: 'ada' }, { csrfFrom: '/admin' });
  assert.equal(made.statusCode, 201, made.body);
  const url = /id="reset-link">([^<]+)</.exec(made.body)![1]!.trim();
  assert.match(url, /^http:\/\/site\.test\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
  const path = url.slice('http://site.test'.length);
  const visitor = new Browser(s.app);
  const form = await visitor.get(path);
  assert.equal(form.statusCode, 200);
  assert.equal(form.headers['referrer-policy'], 'no-referrer');
  const token = new URL(url).searchParams.get('token')!;
  const weak = await visitor.post(
    '/reset-password',
    { token, password: 'short', confirm: 'short' },
    { csrfFrom: path },
  );
  assert.equal(weak.statusCode, 400);
  assert.match(weak.body, /id="f-password-error">At least 8 characters/);
  const done = await visitor.post(
    '/reset-password',
    { token, password: 'new password!', confirm: 'new password!' },
    { csrfFrom: path },
  );
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/login?reset=done');
  // the old session ended with the reset
  assert.equal((await ada.get('/account')).statusCode, 303);
  const used = await visitor.get(path);
  assert.equal(used.statusCode, 400);
  assert.match(used.body, /id="bad-link"/);
  assert.equal((await visitor.get('/reset-password?token=nonsense')).statusCode, 400);
  assert.equal((await visitor.get('/verify-email?token=nonsense')).statusCode, 400);

  // log in with the new password; export; delete
  const back = await ada.post(
    '/login',
    { username: 'ada', password: 'new password!' },
    { csrfFrom: '/login' },
  );
  assert.equal(back.statusCode, 303);
  const exported = await ada.get('/account/export.json');
  assert.equal(exported.statusCode, 200);
  assert.match(
    String(exported.headers['content-disposition']),
    /^attachment; filename="seedcast-ada-[\d-]+\.json"$/,
  );
  assert.equal(JSON.parse(exported.body).profile.username, 'ada');
  assert.match((await ada.get('/account/delete')).body, /its administrator root/);
  const wrong = await ada.post(
    '/account/delete',
    { items: 'delete', password: 'nope nope' },
    { csrfFrom: '/account/delete' },
  );
  assert.equal(wrong.statusCode, 401);
  assert.match(wrong.body, /That is not your password/);
  const last = await root.get('/account/delete');
  assert.match(last.body, /id="last-admin"/);
  const gone = await ada.post(
    '/account/delete',
    { items: 'transfer', password: 'new password!' },
    { csrfFrom: '/account/delete' },
  );
  assert.equal(gone.statusCode, 200);
  assert.match(gone.body, /id="account-deleted"/);
  assert.doesNotMatch(gone.body, /id="logout"/);
  assert.equal(await s.site.users.byName('ada'), undefined);
  assert.equal((await ada.get('/account')).statusCode, 303);
  const audit = await s.app.inject({
    url: '/admin',
    headers: { cookie: [...root.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  assert.match(audit.body, /user\.delete|user\.reset-link/);
});
