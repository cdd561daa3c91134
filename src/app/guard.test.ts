import assert from 'node:assert/strict';
import { type AddressInfo, connect } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { appKit, guardProbeRoutes } from '../../test/helpers/app-kit.js';
import { hostName, isLoopbackHost, SESSION_COOKIE, safeNext } from './guard.js';
import { loginRoutes } from './routes/login.js';
import { statusRoutes } from './routes/status.js';

/** The guard, the status and login routes, and a probe page and change. */
const appForTest = (t: TestContext, options: { password?: string } = {}) =>
  appKit(t, [statusRoutes, loginRoutes, guardProbeRoutes], options);

const HOST = '127.0.0.1:8181';

describe('the app guard (loopback)', () => {
  it('names only loopback hosts, with any port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8181', 'localhost', 'LOCALHOST:1', '[::1]', '[::1]:65535'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of [
      undefined,
      '',
      '127.0.0.1.evil.example',
      'localhost.evil',
      'evil.example',
      '127.0.0.1:80@evil.example',
      '127.0.0.1:8181 evil',
      '[::1].evil',
      '127.0.0.2',
    ])
      assert.equal(isLoopbackHost(host), false, String(host));
    assert.equal(hostName('[::1]:8181'), '[::1]');
  });

  it('refuses a foreign or missing Host (DNS rebinding), answers loopback names on any port', async (t) => {
    const { app, ctx } = await appForTest(t);
    const cookie = `${SESSION_COOKIE}=${ctx.secret.token}`;
    for (const host of ['evil.example', '127.0.0.1.evil.example', 'localhost.evil', 'localhost.evil:8181']) {
      const res = await app.inject({ url: '/api/status', headers: { host, cookie } });
      assert.equal(res.statusCode, 403, host);
      assert.equal(res.json().error.code, 'APP_FORBIDDEN');
    }
    // No Host header at all (inject always adds one): HTTP/1.0 on a real socket.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.end(`GET /api/status HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.[01] 403/);
    for (const host of ['127.0.0.1', '127.0.0.1:1', 'localhost:8181', '[::1]:9']) {
      const res = await app.inject({ url: '/api/status', headers: { host, cookie } });
      assert.equal(res.statusCode, 200, host);
    }
  });

  it('refuses a request without the cookie: JSON for the API, a page without the CSRF token for browsers', async (t) => {
    const { app, ctx } = await appForTest(t);
    const api = await app.inject({ url: '/api/status', headers: { host: HOST } });
    assert.equal(api.statusCode, 403);
    assert.match(api.headers['content-type'] as string, /application\/json/);
    assert.equal(api.json().error.code, 'APP_FORBIDDEN');
    const page = await app.inject({ url: '/', headers: { host: HOST, accept: 'text/html' } });
    assert.equal(page.statusCode, 403);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /seedcast app/);
    assert.ok(!page.body.includes(ctx.secret.csrf), 'the refusal page must not carry the CSRF token');
    assert.ok(!page.body.includes(ctx.secret.token));
    const wrong = await app.inject({
      url: '/api/status',
      headers: { host: HOST, cookie: `${SESSION_COOKIE}=${'0'.repeat(64)}` },
    });
    assert.equal(wrong.statusCode, 403);
  });

  it('the link with the token sets an HttpOnly SameSite=Strict cookie and redirects without it', async (t) => {
    const { app, ctx } = await appForTest(t);
    const res = await app.inject({ url: `/?token=${ctx.secret.token}`, headers: { host: HOST } });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=${ctx.secret.token};`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const kept = await app.inject({ url: `/shows/x?token=${ctx.secret.token}&a=1`, headers: { host: HOST } });
    assert.equal(kept.headers.location, '/shows/x?a=1');
    const sneaky = await app.inject({
      url: `/a/..//evil.example?token=${ctx.secret.token}`,
      headers: { host: HOST },
    });
    assert.ok(!String(sneaky.headers.location).startsWith('//'), String(sneaky.headers.location));
    // From another origin (the redirect file the browser is opened with): a page of ours moves on.
    const fromFile = await app.inject({
      url: `/shows/x?token=${ctx.secret.token}`,
      headers: { host: HOST, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(fromFile.statusCode, 200);
    assert.match(String(fromFile.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.match(fromFile.body, /<meta http-equiv="refresh" content="0;url=\/shows\/x">/);
    assert.ok(!fromFile.body.includes(ctx.secret.token));
    const wrong = await app.inject({ url: `/?token=${'f'.repeat(64)}`, headers: { host: HOST } });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const page = await app.inject({
      url: '/',
      headers: { host: HOST, accept: 'text/html', cookie: `${SESSION_COOKIE}=${ctx.secret.token}` },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`<meta name="csrf-token" content="${ctx.secret.csrf}"`));
    assert.match(page.body, /<a href="\/" aria-current="page">Shows<\/a>/);
    assert.match(page.body, /class="skip-link" href="#main"/);
  });

  it('a change needs the CSRF token (header or _csrf field) and no foreign Origin', async (t) => {
    const { app, ctx } = await appForTest(t);
    const cookie = `${SESSION_COOKIE}=${ctx.secret.token}`;
    const post = (headers: Record<string, string>, payload?: string) =>
      app.inject({ method: 'POST', url: '/api/poke', headers: { host: HOST, cookie, ...headers }, payload });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const [name, res] of [
      ['no token', await post({})],
      ['wrong header', await post({ 'x-csrf-token': 'nope' })],
      ['wrong field', await post(form, '_csrf=nope')],
      ['foreign Origin', await post({ 'x-csrf-token': ctx.secret.csrf, origin: 'http://evil.example' })],
      ['opaque Origin', await post({ 'x-csrf-token': ctx.secret.csrf, origin: 'null' })],
      [
        'opaque Origin from another site',
        await post({ 'x-csrf-token': ctx.secret.csrf, origin: 'null', 'sec-fetch-site': 'cross-site' }),
      ],
      ['cross-site fetch', await post({ 'x-csrf-token': ctx.secret.csrf, 'sec-fetch-site': 'cross-site' })],
      [
        'no cookie',
        await app.inject({
          method: 'POST',
          url: '/api/poke',
          headers: { host: HOST, 'x-csrf-token': ctx.secret.csrf },
        }),
      ],
    ] as const) {
      assert.equal(res.statusCode, 403, name);
      assert.equal(ctx.lastSeen.at, 0, name);
    }
    assert.equal((await post({ 'x-csrf-token': ctx.secret.csrf, origin: `http://${HOST}` })).statusCode, 200);
    ctx.lastSeen.at = 0;
    const vouched = { 'x-csrf-token': ctx.secret.csrf, origin: 'null', 'sec-fetch-site': 'same-origin' };
    assert.equal((await post(vouched)).statusCode, 200, 'Origin null that the browser says is ours');
    ctx.lastSeen.at = 0;
    assert.equal((await post(form, `_csrf=${encodeURIComponent(ctx.secret.csrf)}`)).statusCode, 200);
    assert.equal(ctx.lastSeen.at, 42);
  });

  it('no login page when the app is not exposed', async (t) => {
    const { app } = await appForTest(t);
    const res = await app.inject({ url: '/login', headers: { host: HOST } });
    assert.equal(res.statusCode, 403);
  });
});

describe('safeNext', () => {
  it('keeps same-site paths only', () => {
    assert.equal(safeNext('/shows/ab12?x=1#e'), '/shows/ab12?x=1#e');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'http://evil.example/',
      'javascript:alert(1)',
      '',
      'shows',
      '/a\nb',
      undefined,
      3,
      '/%2F/evil',
      '/\t/evil',
    ])
      assert.ok(
        !['//', '/\\'].some((p) => safeNext(bad).startsWith(p)) && safeNext(bad).startsWith('/'),
        String(bad),
      );
    assert.equal(safeNext('//evil.example'), '/');
    assert.equal(safeNext('/\\evil.example'), '/');
    assert.equal(safeNext('https://evil.example'), '/');
  });
});
