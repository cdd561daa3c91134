/**
 * Accounts through the pages (`app.inject()`, real SQLite): register and log in with forms, the
 * session cookie, logout, API tokens on the account page; forms re-shown with the error next to the
 * field and what was typed kept (never the password); a form without the CSRF token is refused.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertInert, Browser, openPagesSite } from '../../../test/pages-fixtures.js';
import { multipart } from '../../../test/site-fixtures.js';

test('register, log out, log in: a session cookie, HttpOnly and SameSite=Lax', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  const reg = await b.post(
    '/register',
    { username: 'ada', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal(reg.statusCode, 303);
  assert.equal(reg.headers.location, '/account');
  assert.match(
    reg.headers['set-cookie']!.toString(),
    /sc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000/,
  );
  const account = await b.get('/account');
  assert.equal(account.statusCode, 200);
  assert.match(account.body, /Logged in as <a href="\/users\/ada">ada<\/a> \(administrator\)/);
  assert.match(account.body, /id="logout"/);

  const out = await b.post('/logout', {}, { csrfFrom: '/account' });
  assert.equal(out.statusCode, 303);
  assert.equal(b.cookies.has('sc_session'), false);
  const after = await b.get('/account');
  assert.equal(after.statusCode, 303);
  assert.equal(after.headers.location, '/login?next=%2Faccount');

  const login = await b.post(
    '/login',
    { username: 'ada', password: 'correct horse', next: '/account' },
    { csrfFrom: '/login' },
  );
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/account');
  assert.equal((await b.get('/account')).statusCode, 200);
  const home = await b.get('/');
  assert.match(home.body, /<a href="\/users\/ada">ada<\/a>/);
  assert.doesNotMatch(home.body, /href="\/login"/);
});

test('a stolen session cookie stops working after logout', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  await b.post(
    '/register',
    { username: 'ada', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  const stolen = b.cookies.get('sc_session')!;
  await b.post('/logout', {}, { csrfFrom: '/account' });
  const res = await s.app.inject({
    method: 'GET',
    url: '/account',
    headers: { cookie: `sc_session=${stolen}` },
  });
  assert.equal(res.statusCode, 303);
  assert.match(res.headers['set-cookie']!.toString(), /sc_session=; .*Max-Age=0/);
});

test('login: a wrong password re-shows the form with the username kept, never the password', async (t) => {
  const s = await openPagesSite(t);
  await s.site.users.register({ username: 'ada', password: 'correct horse' });
  const b = new Browser(s.app);
  const res = await b.post('/login', { username: 'ada', password: 'wrong horse!' }, { csrfFrom: '/login' });
  assert.equal(res.statusCode, 401);
  assert.match(
    res.body,
    /<div class="notice error" role="alert" id="form-error">Wrong username or password.<\/div>/,
  );
  assert.match(res.body, /<input type="text" value="ada" id="f-username"/);
  assert.doesNotMatch(res.body, /wrong horse/);
  assert.equal(b.cookies.has('sc_session'), false);
  const empty = await b.post('/login', { username: '', password: '' }, { csrfFrom: '/login' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /id="f-username-error">Enter your username.</);
  assert.match(empty.body, /id="f-password-error">Enter your password.</);
  assert.match(empty.body, /aria-invalid="true" aria-describedby="f-password-error"/);
});

test('register: errors appear next to their fields and what was typed is kept (escaped)', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  const bad = await b.post(
    '/register',
    { username: '"><script>alert(1)</script>', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-username-error">2 to 32 letters/);
  assert.match(bad.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  assert.doesNotMatch(bad.body, /correct horse/);
  assertInert(bad.body);
  const short = await b.post(
    '/register',
    { username: 'bob', password: 'short', confirm: 'short' },
    { csrfFrom: '/register' },
  );
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /id="f-password-error">At least 8 characters.</);
  assert.match(short.body, /value="bob"/);
  const differ = await b.post(
    '/register',
    { username: 'bob', password: 'correct horse', confirm: 'other horse!' },
    { csrfFrom: '/register' },
  );
  assert.equal(differ.statusCode, 400);
  assert.match(differ.body, /id="f-confirm-error">The two passwords differ.</);
  await s.site.users.register({ username: 'carol', password: 'correct horse' });
  const taken = await b.post(
    '/register',
    { username: 'CAROL', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal(taken.statusCode, 409);
  assert.match(taken.body, /id="f-username-error">That username is taken.</);
});

test('a form without the right CSRF token is refused with a 403 page, and nothing happens', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  await b.get('/register');
  for (const csrf of [undefined, '', 'x'.repeat(43)]) {
    const fields: Record<string, string> = {
      username: 'mallory',
      password: 'correct horse',
      confirm: 'correct horse',
    };
    if (csrf !== undefined) fields._csrf = csrf;
    const res = await b.post('/register', fields);
    assert.equal(res.statusCode, 403);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /id="error-message">account: not allowed: this form has expired/);
  }
  assert.equal(await s.site.users.byName('mallory'), undefined);
  // A token from another visitor's cookie does not work either.
  const other = new Browser(s.app);
  const page = await other.get('/register');
  const foreign = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  const res = await b.post('/register', {
    username: 'mallory',
    password: 'correct horse',
    confirm: 'correct horse',
    _csrf: foreign,
  });
  assert.equal(res.statusCode, 403);
  // Logging out needs the token too.
  await b.post(
    '/register',
    { username: 'ada', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal((await b.post('/logout', {})).statusCode, 403);
  assert.equal((await b.get('/account')).statusCode, 200);
});

test('account page: create an API token (shown once, works on the API), then revoke it', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  await b.post(
    '/register',
    { username: 'ada', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  const created = await b.post('/account/tokens', { name: 'laptop <b>' }, { csrfFrom: '/account' });
  assert.equal(created.statusCode, 201);
  const token = /<code class="token" id="new-token">(sc_[A-Za-z0-9_-]{43})<\/code>/.exec(created.body)![1]!;
  assert.match(created.body, /laptop &lt;b&gt;/);
  const user = await s.site.tokens.verify(token);
  assert.equal(user.username, 'ada');
  const account = await b.get('/account');
  assert.doesNotMatch(account.body, new RegExp(token));
  const id = /data-token-id="(\d+)"/.exec(account.body)![1]!;
  const revoked = await b.post(`/account/tokens/${id}/revoke`, {}, { csrfFrom: '/account' });
  assert.equal(revoked.statusCode, 303);
  await assert.rejects(s.site.tokens.verify(token));
  const again = await b.post(`/account/tokens/${id}/revoke`, {}, { csrfFrom: '/account' });
  assert.equal(again.statusCode, 404);
  assert.match(again.body, /Page not found/);
});

test('login is rate-limited per address with a friendly 429 page', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  let last = 0;
  for (let i = 0; i < 12; i++) {
    const res = await b.post('/login', { username: 'ada', password: 'x' }, { csrfFrom: '/login' });
    last = res.statusCode;
    if (last === 429) {
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /Too many requests/);
      break;
    }
  }
  assert.equal(last, 429);
});

test('after login, next= only ever leads to a page of this site', async (t) => {
  const s = await openPagesSite(t);
  await s.site.users.register({ username: 'ada', password: 'correct horse' });
  for (const next of [
    '//evil.example/x',
    'https://evil.example/',
    '/\\evil.example',
    'javascript:alert(1)',
  ]) {
    const b = new Browser(s.app);
    const res = await b.post(
      '/login',
      { username: 'ada', password: 'correct horse', next },
      { csrfFrom: '/login' },
    );
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
  }
});

test('the API accepts the session cookie only with the X-CSRF-Token header (publishing and tus uploads)', async (t) => {
  const s = await openPagesSite(t);
  const b = new Browser(s.app);
  await b.post(
    '/register',
    { username: 'ada', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  const page = await b.get('/account');
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  const cookie = `sc_session=${b.cookies.get('sc_session')}`;
  const body = () =>
    multipart([
      { name: 'title', value: 'From the browser' },
      { name: 'file', filename: 'note.txt', type: 'text/plain', value: 'hello from a page\n' },
    ]);
  const forged = body();
  const refused = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...forged.headers, cookie },
    payload: forged.payload,
  });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error.code, 'FORBIDDEN');
  const good = body();
  const ok = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...good.headers, cookie, 'x-csrf-token': csrf },
    payload: good.payload,
  });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().title, 'From the browser');
  const tus = { 'tus-resumable': '1.0.0', 'upload-length': '5', cookie };
  const tusRefused = await s.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: tus });
  assert.equal(tusRefused.statusCode, 403);
  const tusOk = await s.app.inject({
    method: 'POST',
    url: '/api/v1/uploads',
    headers: { ...tus, 'x-csrf-token': csrf },
  });
  assert.equal(tusOk.statusCode, 201, tusOk.body);
  const anonymous = body();
  const none = await s.app.inject({ method: 'POST', url: '/api/v1/items', ...anonymous });
  assert.equal(none.statusCode, 401);
});
