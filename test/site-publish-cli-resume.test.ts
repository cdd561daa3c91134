/**
 * `seedcast publish` of a single file goes through tus, so a publish cut short resumes: the command
 * is killed (SIGKILL) while its upload is under way, the same command run again continues from the
 * bytes the site kept (it says so), publishes, and the site serves the file byte-exact.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, runCli, startCli, tempDir } from './helpers/tools.js';

const MiB = 1024 * 1024;

test('seedcast publish resumes an upload cut short', { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'seedcast-publish-resume-');
  const data = join(dir, 'data');
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    data,
  ]);
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 90_000);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${path}: ${res.status}`);
    return res.json() as Promise<Record<string, string>>;
  };
  await post('/api/v1/users', { username: 'maker', password: 'a long passphrase' });
  const { token } = await post('/api/v1/tokens', { username: 'maker', password: 'a long passphrase' });

  const content = randomBytes(48 * MiB);
  const file = join(dir, 'concert.ogg');
  writeFileSync(file, content);
  const env = { SEEDCAST_HOME: join(dir, 'home') };
  const args = ['publish', file, '--server', base!, '--token', token!, '--title', 'Concert'];

  // kill the command once the site holds some of the file
  const first = startCli(t, args, { env });
  const uploads = join(data, 'uploads');
  let kept = 0;
  for (let i = 0; i < 6000 && kept < 4 * MiB; i++) {
    const names = existsSync(uploads) ? readdirSync(uploads).filter((n) => /^[0-9a-f]{32}$/.test(n)) : [];
    kept = names.length === 1 ? statSync(join(uploads, names[0]!)).size : 0;
    if (kept < 4 * MiB) await sleep(10);
  }
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(kept >= 4 * MiB, 'the upload had started');
  assert.ok(existsSync(join(dir, 'home', 'uploads.json')), 'the upload URL was remembered');

  const again = await runCli(args, { env });
  assert.equal(again.code, 0, again.stderr);
  const resumed = Number(/resumed the upload at (\d+) of/.exec(again.stderr)?.[1]);
  assert.ok(resumed >= 4 * MiB, `the second run resumed (${again.stderr.trim()})`);
  t.diagnostic(`resumed at ${resumed} of ${content.length} bytes`);
  const itemUrl = /published:\s+(\S+)/.exec(again.stdout)?.[1];
  const id = /items\/(\d+)/.exec(itemUrl ?? '')?.[1];
  const item = (await (await fetch(`${base}/api/v1/items/${id}`)).json()) as { files: { url: string }[] };
  const served = Buffer.from(await (await fetch(item.files[0]!.url)).arrayBuffer());
  assert.ok(served.equals(content), 'the published file is byte-exact');
  assert.deepEqual(
    readdirSync(uploads).filter((n) => !n.startsWith('.')),
    [],
    'the upload was consumed',
  );
});
