/**
 * The request log of a real `seedcast serve` (issue 19): with `--log-level info` every request is a
 * JSON line on stdout with its method, path, status and response time, and neither the password of
 * a registration or login, nor an API token (Authorization header or `?token=` in the query), nor a
 * session cookie appears anywhere in the output; by default (`warn`) no request line is printed, and
 * the `listening on ...` line is the same either way.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, startCli, tempDir } from './helpers/tools.js';

const PASSWORD = 'very secret horse battery';

async function run(t: Parameters<typeof tempDir>[0], flags: string[]) {
  const dir = tempDir(t, 'seedcast-log-');
  const port = await freePort();
  const server = startCli(t, [
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data',
    join(dir, 'data'),
    '--no-dht',
    '--no-webrtc',
    ...flags,
  ]);
  t.after(() => server.stop());
  let stdout = '';
  server.child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  const [, base = ''] = await server.waitFor(/listening on (http:\/\/\S+)/, 90_000);
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await post('/api/v1/users', { username: 'ada', password: PASSWORD })).status, 201);
  const tokenRes = await post('/api/v1/tokens', { username: 'ada', password: PASSWORD });
  const { token } = (await tokenRes.json()) as { token: string };
  const me = await fetch(`${base}/api/v1/admin/settings`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  await fetch(`${base}/reset-password?token=${token}&lang=en`);
  await fetch(`${base}/about`, { headers: { cookie: `sc_session=${token}` } });
  await new Promise((r) => setTimeout(r, 300)); // the last lines reach the pipe
  return { stdout, output: server.output(), token, base };
}

test('--log-level info prints one JSON line per request with method, path, status and time, and no secrets', async (t) => {
  const { stdout, output, token, base } = await run(t, ['--log-level', 'info']);
  assert.match(stdout, new RegExp(`^listening on ${base.replace(/[.]/g, '\\.')}$`, 'm'));
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) =>
        JSON.parse(l) as {
          msg?: string;
          method?: string;
          path?: string;
          status?: number;
          responseTime?: number;
        },
    );
  const requests = lines.filter((l) => l.msg === 'request');
  assert.ok(requests.length >= 5, `request lines: ${stdout}`);
  const settings = requests.find((l) => l.path === '/api/v1/admin/settings');
  assert.equal(settings?.method, 'GET');
  assert.equal(settings?.status, 200);
  assert.equal(typeof settings?.responseTime, 'number');
  const registered = requests.find((l) => l.path === '/api/v1/users');
  assert.deepEqual([registered?.method, registered?.status], ['POST', 201]);
  const reset = requests.find((l) => String(l.path).startsWith('/reset-password'));
  assert.equal(reset?.path, '/reset-password?token=[redacted]&lang=en');
  assert.ok(!output.includes(PASSWORD), 'no password in the output');
  assert.ok(!output.includes(token), 'no token in the output');
  assert.ok(!/authorization|sc_session/i.test(stdout), 'no Authorization header nor cookie in the log');
});

test('by default (warn) the server prints no request line', async (t) => {
  const { stdout } = await run(t, []);
  assert.match(stdout, /^listening on http:\/\//m);
  assert.equal(
    stdout.split('\n').filter((l) => l.startsWith('{')).length,
    0,
    `no JSON lines by default: ${stdout}`,
  );
});
