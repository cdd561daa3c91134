import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { appKit, guardProbeRoutes } from '../../../test/helpers/app-kit.js';
import { SESSION_COOKIE } from '../guard.js';
import { loginRoutes } from './login.js';
import { createLoginLimiter } from './login-limit.js';
import { statusRoutes } from './status.js';

/** The guard, the status and login routes, and a probe page and change. */
const appForTest = (t: TestContext, options: { password?: string } = {}) =>
  appKit(t, [statusRoutes, loginRoutes, guardProbeRoutes], options);

const HOST = '192.0.2.7:8181';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('logging in to an exposed app', () => {
  it('any Host is answered; pages send to /login, the API refuses', async (t) => {
    const { app } = await appForTest(t, { password: 'correct horse' });
    const page = await app.inject({ url: '/shows/ab?x=1', headers: { host: HOST, accept: 'text/html' } });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, `/login?next=${encodeURIComponent('/shows/ab?x=1')}`);
    const api = await app.inject({ url: '/api/status', headers: { host: HOST } });
    assert.equal(api.statusCode, 403);
    const login = await app.inject({
      url: '/login?next=/shows/ab',
      headers: { host: HOST, accept: 'text/html' },
    });
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<form class="form" method="post" action="\/login" id="login"/);
    assert.match(login.body, /<label for="login-password">Password<\/label>/);
    assert.match(login.body, /name="password"/);
    assert.match(login.body, /name="next" value="\/shows\/ab"/);
    assert.match(login.body, /site\.css/);
  });

  it('the right password sets the cookie and goes to next (same-site paths only)', async (t) => {
    const { app, ctx } = await appForTest(t, { password: 'correct horse' });
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: '/login', headers: { host: HOST, ...form }, payload });
    const res = await post(`password=correct+horse&next=${encodeURIComponent('/shows/ab?x=1')}`);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/shows/ab?x=1');
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^${SESSION_COOKIE}=${ctx.secret.token};.*HttpOnly.*SameSite=Strict`));
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)'])
      assert.equal(
        (await post(`password=correct+horse&next=${encodeURIComponent(next)}`)).headers.location,
        '/',
        next,
      );
    const status = await app.inject({
      url: '/api/status',
      headers: { host: HOST, cookie: `${SESSION_COOKIE}=${ctx.secret.token}` },
    });
    assert.equal(status.statusCode, 200);
  });

  it('a wrong password is refused without a cookie; a login from another site is refused', async (t) => {
    const { app } = await appForTest(t, { password: 'correct horse' });
    const wrong = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { host: HOST, accept: 'text/html', ...form },
      payload: 'password=battery+staple',
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers['set-cookie'], undefined);
    assert.match(wrong.body, /id="login-error"[^>]*>Wrong password\./);
    const foreign = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { host: HOST, origin: 'http://evil.example', ...form },
      payload: 'password=correct+horse',
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.headers['set-cookie'], undefined);
  });

  it('ten wrong passwords a minute from an address, then 429 even with the right one', async (t) => {
    const { app } = await appForTest(t, { password: 'correct horse' });
    const post = (password: string, remoteAddress = '198.51.100.1') =>
      app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress,
        headers: { host: HOST, ...form },
        payload: `password=${encodeURIComponent(password)}`,
      });
    for (let i = 0; i < 10; i++) assert.equal((await post(`guess ${i}`)).statusCode, 401, `attempt ${i + 1}`);
    const limited = await post('correct horse');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'HTTP_RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(limited.headers['set-cookie'], undefined);
    assert.equal(
      (await post('correct horse', '198.51.100.2')).statusCode,
      303,
      'another address is not limited',
    );
  });

  it('logging out clears the cookie and needs the CSRF token', async (t) => {
    const { app, ctx } = await appForTest(t, { password: 'correct horse' });
    const cookie = `${SESSION_COOKIE}=${ctx.secret.token}`;
    const page = await app.inject({ url: '/', headers: { host: HOST, cookie, accept: 'text/html' } });
    assert.match(page.body, /<form method="post" action="\/logout" id="logout"/);
    const noToken = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { host: HOST, cookie, ...form },
    });
    assert.equal(noToken.statusCode, 403);
    const out = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { host: HOST, cookie, ...form },
      payload: `_csrf=${encodeURIComponent(ctx.secret.csrf)}`,
    });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/login');
    assert.match(String(out.headers['set-cookie']), new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });
});

describe('the login limiter', () => {
  it('forgets failures older than the window', () => {
    const limiter = createLoginLimiter({ max: 2, windowMs: 1000 });
    limiter.failed('a', 0);
    limiter.failed('a', 500);
    assert.throws(() => limiter.check('a', 900), /try again in 1 s/);
    limiter.check('a', 1001);
    limiter.failed('a', 1001);
    limiter.succeeded('a');
    limiter.check('a', 1002);
  });
});
