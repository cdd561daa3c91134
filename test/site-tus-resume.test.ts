/**
 * A tus upload survives a client that gives up and a server that is killed: against a real
 * `seedcast serve` process, 4 MiB are uploaded with tus 1.0. The client aborts mid-PATCH and `HEAD`
 * shows the bytes that arrived were kept; then the server is killed with SIGKILL mid-PATCH, started
 * again on the same data folder, and `HEAD` shows the bytes it had written before dying (more than
 * the offset it had recorded). The upload is finished, published with `upload`, and the served file
 * and an aria2c download (from the site's `.torrent`, web seed) are byte-exact. A publish that fails
 * leaves no item and keeps the upload. Skips loudly without aria2c (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { aria2Download, copiesOf } from './helpers/aria2.js';
import { freePort, requireTools, startCli, tempDir } from './helpers/tools.js';

const MiB = 1024 * 1024;
const DATA = Buffer.from(new Uint8Array(4 * MiB).map((_, i) => (i * 2654435761) >>> 24));
const TUS = { 'tus-resumable': '1.0.0' };

async function serve(t: TestContext, data: string) {
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
  return { server, base: base! };
}

/**
 * A PATCH that sends `chunk` from `offset` but declares the whole rest of the file, then stops:
 * `then` runs once the bytes are on their way (abort the client, or kill the server).
 */
async function partialPatch(
  base: string,
  path: string,
  auth: Record<string, string>,
  offset: number,
  chunk: Buffer,
  then: () => Promise<void>,
): Promise<void> {
  const url = new URL(path, base);
  const req = request(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      ...auth,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      'content-length': String(DATA.length - offset),
    },
  });
  const settled = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('close', resolve);
  });
  await new Promise<void>((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve())));
  await sleep(1500); // let the server write what arrived
  await then();
  req.destroy();
  await settled;
}

async function headOffset(base: string, path: string, auth: Record<string, string>): Promise<number> {
  const res = await fetch(new URL(path, base), { method: 'HEAD', headers: { ...TUS, ...auth } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('tus-resumable'), '1.0.0');
  assert.equal(res.headers.get('upload-length'), String(DATA.length));
  return Number(res.headers.get('upload-offset'));
}

async function patch(base: string, path: string, auth: Record<string, string>, offset: number, body: Buffer) {
  const res = await fetch(new URL(path, base), {
    method: 'PATCH',
    headers: {
      ...TUS,
      ...auth,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
    },
    body,
  });
  assert.equal(res.status, 204, await res.text());
  return Number(res.headers.get('upload-offset'));
}

test('a tus upload resumes after a client abort and after kill -9 of the server, then publishes byte-exact', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'aria2c')) return;
  const dir = tempDir(t, 'seedcast-tus-');
  const data = join(dir, 'data');
  let { server, base } = await serve(t, data);
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
  const auth = { authorization: `Bearer ${token}` };

  const created = await fetch(`${base}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      ...TUS,
      ...auth,
      'upload-length': String(DATA.length),
      'upload-metadata': `filename ${Buffer.from('lecture.webm').toString('base64')}`,
    },
  });
  assert.equal(created.status, 201);
  const path = new URL(created.headers.get('location')!).pathname;

  // 1. the client gives up halfway through a PATCH: what arrived is kept
  const half = 2 * MiB;
  await partialPatch(base, path, auth, 0, DATA.subarray(0, half), async () => undefined);
  const afterAbort = await headOffset(base, path, auth);
  assert.equal(afterAbort, half, 'HEAD shows every byte sent before the abort');

  // 2. the server is killed (SIGKILL) in the middle of the next PATCH
  const more = MiB;
  await partialPatch(base, path, auth, afterAbort, DATA.subarray(afterAbort, afterAbort + more), async () => {
    server.child.kill('SIGKILL');
    await server.exited;
  });
  ({ server, base } = await serve(t, data));
  const afterKill = await headOffset(base, path, auth);
  assert.ok(
    afterKill > afterAbort && afterKill <= afterAbort + more,
    `after the restart the offset (${afterKill}) counts the bytes written before the kill (the site had recorded ${afterAbort})`,
  );
  const onDisk = readFileSync(join(data, 'uploads', path.split('/').pop()!));
  assert.ok(onDisk.equals(DATA.subarray(0, afterKill)), 'the bytes kept are the bytes sent');

  // 3. finish, then publish: a bad licence first leaves nothing half-made
  assert.equal(await patch(base, path, auth, afterKill, DATA.subarray(afterKill)), DATA.length);
  const id = path.split('/').pop()!;
  const publish = (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('upload', id);
    return fetch(`${base}/api/v1/items`, { method: 'POST', headers: auth, body: form });
  };
  const refused = await publish({ title: 'Lecture', license: 'not a licence' });
  assert.equal(refused.status, 400);
  const blobs = join(data, 'blobs');
  const blobFiles = () =>
    (existsSync(blobs) ? readdirSync(blobs, { recursive: true, withFileTypes: true }) : []).filter(
      (e) => e.isFile() && !e.name.startsWith('.'),
    );
  assert.deepEqual(blobFiles(), [], 'a refused publish stores nothing');
  assert.equal(await headOffset(base, path, auth), DATA.length, 'and keeps the upload');

  const res = await publish({ title: 'Lecture', license: 'CC-BY-4.0' });
  assert.equal(res.status, 201, await res.clone().text());
  const item = (await res.json()) as {
    id: number;
    torrentUrl: string;
    files: { path: string; url: string }[];
  };
  assert.equal(item.files[0]!.path, 'lecture.webm');
  const served = Buffer.from(await (await fetch(item.files[0]!.url)).arrayBuffer());
  assert.ok(served.equals(DATA), 'the file URL serves the uploaded bytes');
  const gone = await fetch(new URL(path, base), { method: 'HEAD', headers: { ...TUS, ...auth } });
  assert.equal(gone.status, 404, 'the upload was consumed');

  // 4. a BitTorrent client gets the same bytes from the site
  const torrentPath = join(dir, 'item.torrent');
  writeFileSync(torrentPath, Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()));
  const out = join(dir, 'aria2');
  await aria2Download(t, out, torrentPath);
  const copies = copiesOf(out, DATA);
  assert.equal(copies.length, 1, 'aria2c downloaded exactly the uploaded bytes');
});
