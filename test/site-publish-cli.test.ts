/**
 * `seedcast publish` against a real `seedcast serve`: a folder is published through the API, the
 * item carries the metadata given on the command line, and `seedcast download` fetches it back
 * byte-exact from the site (its tracker, peer and web seed). Bad tokens and unreachable sites give
 * one line and exit 1.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort, runCli, startCli, tempDir } from './helpers/tools.js';

async function startSite(t: TestContext) {
  const dir = tempDir(t, 'seedcast-publish-');
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
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
  return { dir, base: base!, token: token! };
}

describe('seedcast publish', { timeout: 240_000 }, () => {
  it('publishes a folder with its metadata, and the item downloads back intact', async (t) => {
    const site = await startSite(t);
    const folder = join(site.dir, 'Radio Show');
    mkdirSync(join(folder, 'extras'), { recursive: true });
    const files = { 'episode.ogg': randomBytes(700_000), 'extras/transcript.txt': randomBytes(20_000) };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);

    const published = await runCli([
      'publish',
      folder,
      '--server',
      site.base,
      '--token',
      site.token,
      '--title',
      'Radio Show, episode 1',
      '--description',
      'A talk about commons.',
      '--license',
      'CC-BY-4.0',
      '--tags',
      'radio,commons',
    ]);
    assert.equal(published.code, 0, published.stderr);
    const torrentUrl = /torrent:\s+(\S+)/.exec(published.stdout)?.[1];
    const itemUrl = /published:\s+(\S+)/.exec(published.stdout)?.[1];
    assert.ok(torrentUrl && itemUrl, published.stdout);
    assert.match(published.stdout, /magnet:\s+magnet:\?xt=urn:btih:[0-9a-f]{40}/);

    const id = /items\/([^/.?]+)/.exec(itemUrl!)?.[1];
    const item = (await (await fetch(`${site.base}/api/v1/items/${id}`)).json()) as Record<string, unknown>;
    assert.equal(item.title, 'Radio Show, episode 1');
    assert.match(JSON.stringify(item), /radio/);
    assert.match(JSON.stringify(item), /CC-BY-4.0|creativecommons/);

    const out = join(site.dir, 'fetched');
    const download = await runCli(['download', torrentUrl!, '-o', out, '--port', String(await freePort())]);
    assert.equal(download.code, 0, download.stderr.slice(-1500));
    const all = JSON.stringify(readdirRecursive(out));
    for (const [name, data] of Object.entries(files)) {
      const base = name.split('/').pop()!;
      assert.ok(all.includes(base), `${base} was downloaded (${all})`);
      const path = readdirRecursive(out).find((p) => p.endsWith(`/${base}`))!;
      assert.ok(readFileSync(path).equals(data), `${name} is intact`);
    }
  });

  it('reports a refused token and an unreachable site in one line with exit 1', async (t) => {
    const site = await startSite(t);
    const file = join(site.dir, 'a.txt');
    writeFileSync(file, 'hello');
    const refused = await runCli(['publish', file, '--server', site.base, '--token', 'not-a-token']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /refused/);
    const unreachable = await runCli([
      'publish',
      file,
      '--server',
      `http://127.0.0.1:${await freePort()}`,
      '--token',
      'x',
    ]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach/);
    const usage = await runCli(['publish', file, '--token', 'x']);
    assert.equal(usage.code, 2);
  });
});

function readdirRecursive(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...readdirRecursive(path));
    else out.push(path);
  }
  return out;
}
