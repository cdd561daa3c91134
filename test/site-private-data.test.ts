/**
 * The site's data is private to its user (issue 15, finding 13): `seedcast serve` creates the data
 * folder and every folder in it 0700, the SQLite database (and its journals) 0600, and the files of
 * unpublished uploads and blobs 0600, even under a permissive umask, and tightens a data folder an
 * older version left world-readable.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, testEnv } from './helpers/tools.js';

const BIN = new URL('../bin/seedcast.js', import.meta.url).pathname;

function modes(root: string): Map<string, number> {
  const out = new Map<string, number>([['.', statSync(root).mode & 0o777]]);
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    out.set(path.slice(root.length + 1), statSync(path).mode & 0o777);
  }
  return out;
}

test('seedcast serve keeps its database, uploads and blobs private (0700 folders, 0600 files)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'seedcast-private-'));
  const data = join(root, 'data');
  mkdirSync(data, { mode: 0o755 }); // as an older version left it
  chmodSync(data, 0o755);
  writeFileSync(join(data, 'seedcast.db'), '', { mode: 0o644 });
  chmodSync(join(data, 'seedcast.db'), 0o644);
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--data', data, '--no-archive'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testEnv({ SEEDCAST_LIMITS: '' }),
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    assert.equal((await post('/api/v1/users', { username: 'ada', password: 'correct horse' })).status, 201);
    const { token } = (await (
      await post('/api/v1/tokens', { username: 'ada', password: 'correct horse' })
    ).json()) as {
      token: string;
    };
    // an unpublished (half-sent) resumable upload, and a published item
    const tus = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '10',
        'upload-metadata': `filename ${Buffer.from('secret.mp3').toString('base64')}`,
        'content-type': 'application/offset+octet-stream',
      },
      body: 'half',
    });
    assert.equal(tus.status, 201, await tus.text());
    const form = new FormData();
    form.set('title', 'Private bytes');
    form.set('file', new Blob(['some audio']), 'take.mp3');
    const item = await fetch(`${base}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(item.status, 201, await item.text());
    assert.equal((await fetch(`${base}/metrics`)).status, 200, 'metrics answer loopback');
    const seen = modes(data);
    assert.equal(seen.get('.'), 0o700, 'the data folder');
    assert.equal(seen.get('seedcast.db'), 0o600, 'the database');
    let uploads = 0;
    for (const [path, mode] of seen) {
      const isDir = statSync(join(data, path)).isDirectory();
      if (isDir) assert.equal(mode, 0o700, `${path}: ${mode.toString(8)}`);
      else assert.equal(mode & 0o077, 0, `${path}: ${mode.toString(8)}`);
      if (path.startsWith('uploads/') && !isDir) uploads++;
    }
    assert.ok(uploads > 0, 'the unpublished upload is on disk');
    assert.ok([...seen.keys()].some((p) => p.startsWith('blobs/') && statSync(join(data, p)).isFile()));
  } finally {
    child.kill('SIGTERM');
  }
  await new Promise((resolve) => child.once('close', resolve));
});
