/**
 * `seedcast app` and `seedcast sync --ui` as real processes: the printed link logs in; the browser
 * is opened (through a fake `xdg-open` on PATH) with a 0600 redirect file, and not with --no-open;
 * `--listen` needs a password and then logs in from a non-loopback address; the app holds the sync
 * lock (`sync --once` is refused) while `subscribe`, `feeds` and `library` work beside it.
 */

import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startAppProc } from './helpers/app-proc.js';
import { freePort, runCli, startCli, tempDir } from './helpers/tools.js';
import { until } from './helpers/until.js';

/** A fake `xdg-open` that appends its argument to a file; the environment that makes the app use it. */
function fakeOpener(t: TestContext): { env: NodeJS.ProcessEnv; opened: string } {
  const dir = tempDir(t, 'seedcast-fake-open-');
  const opened = join(dir, 'opened.txt');
  const script = join(dir, 'xdg-open');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(script, 0o755);
  return { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, DISPLAY: ':99', WAYLAND_DISPLAY: '' }, opened };
}

function nonLoopbackIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('seedcast app (the process)', () => {
  it('prints a link that logs in; does not open a browser with --no-open; holds the sync lock beside the short commands', async (t) => {
    const opener = fakeOpener(t);
    const app = await startAppProc(t, { env: opener.env });
    // The link: the key becomes an HttpOnly cookie and the redirect drops it.
    const res = await fetch(app.link, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    assert.match(
      res.headers.get('set-cookie') ?? '',
      /^seedcast_app=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/,
    );
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await fetch(`${app.base}/api/status`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${app.base}/api/status`)).status, 403);
    assert.equal(statSync(join(app.home, 'app-secret')).mode & 0o777, 0o600);
    // --no-open: no redirect file, no opener called (the link is printed after the opener would run).
    assert.ok(!existsSync(join(app.home, 'app-link.html')));
    assert.ok(!existsSync(opener.opened), 'xdg-open was called despite --no-open');

    const env = { SEEDCAST_HOME: app.home };
    const busy = await runCli(['sync', '--once', '--no-dht', '--no-lsd'], { env });
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /another sync or app is running/);
    assert.match(busy.stderr, /seedcast app/);
    const sub = await runCli(['subscribe', 'http://127.0.0.1:9/cli-feed.xml'], { env });
    assert.equal(sub.code, 0, sub.stderr);
    const feeds = await runCli(['feeds'], { env });
    assert.equal(feeds.code, 0, feeds.stderr);
    assert.match(feeds.stdout, /cli-feed\.xml/);
    const library = await runCli(['library'], { env });
    assert.equal(library.code, 0, library.stderr);
    assert.equal(app.proc.child.exitCode, null, 'the app still runs');
    assert.equal((await app.api('/api/status')).feeds >= 0, true);
  });

  it('sync --ui runs the app and opens the browser with a 0600 redirect file to the link', async (t) => {
    const opener = fakeOpener(t);
    const home = tempDir(t, 'seedcast-app-ui-');
    const port = await freePort();
    const proc = startCli(
      t,
      [
        'sync',
        '--ui',
        '--app-port',
        String(port),
        '--port',
        String(await freePort()),
        '--no-dht',
        '--no-lsd',
      ],
      { env: { SEEDCAST_HOME: home, ...opener.env } },
    );
    t.after(() => proc.stop());
    const [link = ''] = await proc.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/, 90_000);
    assert.equal(new URL(link).port, String(port));
    const status = await fetch(`http://127.0.0.1:${port}/api/status`, {
      headers: { cookie: `seedcast_app=${new URL(link).searchParams.get('token')}` },
    });
    assert.equal(status.status, 200);
    const arg = await until(
      'xdg-open to be called',
      () => (existsSync(opener.opened) ? readFileSync(opener.opened, 'utf8').trim() : undefined),
      { timeoutMs: 20_000 },
    );
    assert.match(arg, /^file:\/\/.*app-link\.html$/);
    assert.ok(!arg.includes('token'), 'the key is not on a command line');
    const file = fileURLToPath(arg);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(`url=${link}`));
  });

  it('sync --ui refuses --once', async () => {
    const res = await runCli(['sync', '--ui', '--once'], { env: { SEEDCAST_HOME: '/nonexistent/seedcast' } });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--once/);
  });

  it('--listen on a non-loopback address needs a password of 8 characters or more', async (t) => {
    const home = tempDir(t, 'seedcast-app-listen-');
    for (const password of [undefined, 'short']) {
      const res = await runCli(
        ['app', '--listen', '0.0.0.0', '--no-open', '--port', String(await freePort())],
        {
          env: { SEEDCAST_HOME: home, SEEDCAST_APP_PASSWORD: password },
        },
      );
      assert.equal(res.code, 2, res.stderr);
      assert.match(
        res.stderr,
        /exposes the app to the network: set a password of 8 characters or more in SEEDCAST_APP_PASSWORD/,
      );
      assert.ok(!existsSync(join(home, 'sync.lock')));
    }
  });

  it('--listen with a password: log in from a non-loopback address', async (t) => {
    const ip = nonLoopbackIPv4();
    if (!ip) {
      const message = 'no non-loopback IPv4 address on this machine';
      if (process.env.CI === 'true') throw new Error(message);
      process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
      t.skip(message);
      return;
    }
    const home = tempDir(t, 'seedcast-app-exposed-');
    const port = await freePort();
    const proc = startCli(
      t,
      [
        'app',
        '--listen',
        '0.0.0.0',
        '--port',
        String(port),
        '--bt-port',
        String(await freePort()),
        '--no-open',
        '--no-dht',
        '--no-lsd',
      ],
      { env: { SEEDCAST_HOME: home, SEEDCAST_APP_PASSWORD: 'correct horse battery' } },
    );
    t.after(() => proc.stop());
    await proc.waitFor(/Seedcast app on the network: http:\/\/0\.0\.0\.0:\d+\//, 90_000);
    const base = `http://${ip}:${port}`;
    assert.equal((await fetch(`${base}/api/status`)).status, 403);
    const redirect = await fetch(`${base}/shows`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('location'), '/login?next=%2Fshows');
    const page = await (await fetch(`${base}/login`)).text();
    assert.match(page, /<form class="form" method="post" action="\/login" id="login"/);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await fetch(`${base}/login`, {
      method: 'POST',
      headers: form,
      body: 'password=nope',
      redirect: 'manual',
    });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { ...form, origin: base },
      body: `password=${encodeURIComponent('correct horse battery')}&next=${encodeURIComponent('//evil.example/')}`,
      redirect: 'manual',
    });
    assert.equal(right.status, 303);
    assert.equal(right.headers.get('location'), '/');
    const cookie = (right.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^seedcast_app=[0-9a-f]{64}$/);
    assert.equal((await fetch(`${base}/api/status`, { headers: { cookie } })).status, 200);
  });
});
