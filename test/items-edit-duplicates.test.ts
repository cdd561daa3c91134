/**
 * A duplicate upload is refused before its bytes (issue 19), on a real SQLite file and a real HTTP
 * server: `POST /api/v1/items/check` answers whether a file with that SHA-256 is published (and where);
 * a tus creation whose `Upload-Metadata` carries the `sha256` of published content is answered 409
 * with the item's page before the client sends a byte of its body (the request's headers alone).
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { openPagesSite } from './pages-fixtures.js';
import { BASE, login, multipart, type TestSite } from './site-fixtures.js';

const CONTENT = Buffer.from('the same bytes, uploaded twice\n'.repeat(4000));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function publish(s: TestSite, auth: Record<string, string>) {
  const body = multipart([
    { name: 'title', value: 'Original' },
    { name: 'file', filename: 'talk.txt', value: CONTENT },
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...auth },
    payload: body.payload,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number };
}

test('POST /api/v1/items/check says whether the content is published, and where', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const check = (payload: unknown, headers: Record<string, string> = bob) =>
    s.app.inject({ method: 'POST', url: '/api/v1/items/check', headers, payload: payload as object });

  assert.deepEqual((await check({ sha256: sha(CONTENT) })).json(), { exists: false });
  const { id } = await publish(s, ada);
  const found = await check({ sha256: sha(CONTENT).toUpperCase() });
  assert.equal(found.statusCode, 200);
  assert.deepEqual(found.json(), {
    exists: true,
    item: { id, url: `${BASE}/items/${id}`, title: 'Original' },
  });
  assert.deepEqual((await check({ sha256: sha(Buffer.from('other')) })).json(), { exists: false });
  assert.equal((await check({ sha256: 'abc' })).statusCode, 400);
  assert.equal((await check({ sha256: sha(CONTENT) }, {})).statusCode, 401);
});

/** Sends a request's headers only and waits for the answer (the body is never written). */
function headersOnly(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    },
  );
}

test('a tus creation naming published content is refused with 409 before its body is sent', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');
  const { id } = await publish(s, ada);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/api/v1/uploads`;
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const create = (hash: string) =>
    headersOnly(url, {
      ...ada,
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(CONTENT.length),
      'Upload-Metadata': `filename ${b64('again.txt')},sha256 ${b64(hash)}`,
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(CONTENT.length),
    });

  const refused = await create(sha(CONTENT));
  assert.equal(refused.status, 409, refused.body);
  assert.equal(JSON.parse(refused.body).error.code, 'ITEM_CONFLICT');
  assert.match(JSON.parse(refused.body).error.message, new RegExp(`already published: ${BASE}/items/${id}$`));
  assert.equal(refused.headers.link, `<${BASE}/items/${id}>; rel="duplicate"`);

  // Unknown content: created (the body would follow).
  const fresh = await headersOnly(url, {
    ...ada,
    'Tus-Resumable': '1.0.0',
    'Upload-Length': '5',
    'Content-Length': '0',
    'Upload-Metadata': `filename ${b64('new.txt')},sha256 ${b64(sha(Buffer.from('fresh')))}`,
  });
  assert.equal(fresh.status, 201, fresh.body);

  const bad = await headersOnly(url, {
    ...ada,
    'Tus-Resumable': '1.0.0',
    'Upload-Length': '5',
    'Content-Length': '0',
    'Upload-Metadata': `sha256 ${b64('not hex')}`,
  });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).error.message, /sha256: 64 hex digits/);
});
