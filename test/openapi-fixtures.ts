/**
 * The site the OpenAPI test calls every documented operation on: a real SQLite file, an admin and a
 * user with tokens, a published item with a comment, a report, captions and chapters, a tus upload
 * and a failed job; and, per operation (`METHOD /path` as the document writes it), the request that
 * should succeed. Operations of other areas without an entry get their path parameters by name
 * (`id` -> the item, `name` -> the admin) and a JSON body made from their schema's required fields.
 * Issue 19's routes (channels, collections, accounts) get theirs from `openapi-fixtures-people.ts`;
 * with `smtpUrl` the site mails through that server (verification mails are sent again).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../src/db/index.js';
import { FAST } from '../src/jobs/contract.js';
import { EmbeddedJobQueue } from '../src/jobs/index.js';
import { peopleCalls } from './openapi-fixtures-people.js';
import { login, multipart, openTestSite, type TestSite } from './site-fixtures.js';

export interface Call {
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  /** A JSON body. */
  body?: unknown;
  /** A raw body (multipart, tus bytes), with its headers. */
  payload?: Buffer;
  headers?: Record<string, string>;
  /** Who calls: the admin (default), the user `bob`, or nobody. */
  as?: 'admin' | 'bob' | 'anonymous';
}

export interface OpenApiSite {
  s: TestSite;
  db: Database;
  auth: { admin: Record<string, string>; bob: Record<string, string> };
  ids: { item: number; other: number; comment: number; report: number; job: string };
  /** The request for an operation, or undefined for the defaults. */
  call(op: string): Promise<Call | undefined>;
  close(): Promise<void>;
}

const TUS = { 'tus-resumable': '1.0.0' };

async function publish(s: TestSite, auth: Record<string, string>, title: string): Promise<number> {
  const form = multipart([
    { name: 'title', value: title },
    { name: 'license', value: 'CC-BY-4.0' },
    {
      name: 'file',
      value: Buffer.from(`WEBVTT\n\n${title} `.repeat(50)),
      filename: `${title}.txt`,
      type: 'text/plain',
    },
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: form.payload,
    headers: { ...auth, ...form.headers },
  });
  if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

export async function openOpenApiSite(options: { smtpUrl?: string } = {}): Promise<OpenApiSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-openapi-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const queue = new EmbeddedJobQueue(db, FAST);
  const s = await openTestSite(db, {
    jobs: queue,
    quotas: { userQuota: 10 * 1024 ** 2, minFreeBytes: 0 },
    ...(options.smtpUrl ? { mail: { smtpUrl: options.smtpUrl, mailFrom: 'Site <site@example.org>' } } : {}),
  });
  const admin = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const item = await publish(s, admin, 'first');
  const other = await publish(s, admin, 'second');
  const inject = async (method: string, url: string, payload?: unknown, headers = admin) => {
    const res = await s.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? undefined : res.json();
  };
  const comment = (await inject('POST', `/api/v1/items/${item}/comments`, { body: 'Nice' })).id as number;
  const report = (await inject('POST', `/api/v1/items/${other}/reports`, { reason: 'spam' })).id as number;
  // A job that fails at once (no attempts left), to retry.
  const failing = queue.work({ boom: async () => Promise.reject(new Error('boom')) }, { concurrency: 1 });
  const job = (await queue.enqueue({ kind: 'boom', itemId: item, maxAttempts: 1 })).id;
  for (let i = 0; i < 200 && (await queue.get(job))?.state !== 'failed'; i++)
    await new Promise((r) => setTimeout(r, 20));
  await failing.close();
  /** A new tus upload of `length` bytes (its id). */
  const tusUpload = async (length = 4) => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...admin, ...TUS, 'upload-length': String(length), 'upload-metadata': 'filename YS50eHQ=' },
    });
    return String(res.headers.location).split('/').pop() as string;
  };
  const vtt = () =>
    multipart([
      { name: 'language', value: 'fr' },
      {
        name: 'file',
        value: 'WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n',
        filename: 'fr.vtt',
        type: 'text/vtt',
      },
    ]);
  // A thumbnail, a derivative (as the media jobs would make them), a channel, chapters.
  const itemRow = (await s.site.items.get(item))!;
  const thumb = `items/${item}/thumbnail.jpg`;
  await s.site.blobs.put(thumb, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await s.site.items.update(item, { thumbnailKey: thumb });
  const rendition = `items/${item}/derivatives/360p.mp4`;
  await s.site.blobs.put(rendition, Buffer.alloc(100, 1));
  await s.site.derivatives?.add({
    itemId: item,
    kind: 'video',
    label: '360p',
    path: '360p.mp4',
    mime: 'video/mp4',
    width: 640,
    height: 360,
    bitrate: 800_000,
    durationMs: 2000,
    length: 100,
    blobKey: rendition,
    integrity: `sha384-${'A'.repeat(64)}`,
  });
  await s.site.channels.create({ ownerId: itemRow.ownerId, slug: 'talks', title: 'Talks' });
  await inject('PUT', `/api/v1/items/${item}/chapters`, {
    version: '1.2.0',
    chapters: [{ startTime: 0, title: 'Start' }],
  });
  /** A new account's Bearer header (for calls that end every token of their account). */
  let accounts = 0;
  const fresh = async () => login(s.app, `user${++accounts}`, 'correct horse');
  await (async () => {
    const form = vtt();
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/v1/items/${item}/captions`,
      payload: form.payload,
      headers: { ...admin, ...form.headers },
    });
    if (res.statusCode !== 201) throw new Error(`captions: ${res.statusCode} ${res.body}`);
  })();

  const people = await peopleCalls(s, { admin, item, publish: (title) => publish(s, admin, title) });
  const calls: Record<string, () => Promise<Call>> = {
    ...people,
    'post /api/v1/users': async () => ({
      body: { username: 'carol', password: 'long enough pass' },
      as: 'anonymous',
    }),
    'post /api/v1/tokens': async () => ({
      body: { username: 'bob', password: 'correct horse' },
      as: 'anonymous',
    }),
    'post /api/v1/account/password': async () => ({
      body: { currentPassword: 'correct horse', newPassword: 'another horse battery' },
      as: 'anonymous',
      headers: await fresh(),
    }),
    'post /api/v1/account/logout-everywhere': async () => ({ as: 'anonymous', headers: await fresh() }),
    'post /api/v1/items': async () => {
      const form = multipart([
        { name: 'title', value: 'third' },
        { name: 'file', value: Buffer.from('third file'), filename: 'third.txt', type: 'text/plain' },
      ]);
      return { payload: form.payload, headers: form.headers };
    },
    'put /api/v1/account/p2p': async () => ({ body: { p2p: 'off' } }),
    'patch /api/v1/items/{id}': async () => ({
      body: { title: 'First, edited', tags: ['a', 'b'], license: 'CC0-1.0', date: null, channel: null },
    }),
    'delete /api/v1/items/{id}': async () => ({ params: { id: other } }),
    'post /api/v1/items/{id}/takedown': async () => ({ params: { id: other }, body: { reason: 'legal' } }),
    'delete /api/v1/items/{id}/takedown': async () => ({ params: { id: other } }),
    'put /api/v1/users/{name}/quota': async () => ({ params: { name: 'bob' }, body: { quota: 1_000_000 } }),
    'post /api/v1/items/{id}/comments': async () => ({ body: { body: 'A reply', parentId: comment } }),
    'patch /api/v1/items/{id}/comments/{commentId}': async () => ({
      params: { commentId: comment },
      body: { body: 'Edited' },
    }),
    'delete /api/v1/items/{id}/comments/{commentId}': async () => ({
      params: { commentId: comment },
      query: { reason: 'tidy' },
    }),
    'post /api/v1/items/{id}/reports': async () => ({ body: { reason: 'spam' }, as: 'bob' }),
    'post /api/v1/reports/{id}/resolve': async () => ({ params: { id: report } }),
    'post /api/v1/admin/users/{name}/disable': async () => ({
      params: { name: 'bob' },
      body: { reason: 'spam' },
    }),
    'post /api/v1/admin/users/{name}/enable': async () => ({ params: { name: 'bob' }, body: {} }),
    'post /api/v1/admin/jobs/{id}/retry': async () => ({ params: { id: job } }),
    'post /api/v1/items/{id}/captions': async () => {
      const form = vtt();
      return { payload: form.payload, headers: form.headers };
    },
    'delete /api/v1/items/{id}/captions/{language}': async () => ({ params: { language: 'fr' } }),
    'put /api/v1/items/{id}/chapters': async () => ({
      body: { version: '1.2.0', chapters: [{ startTime: 0, title: 'Start' }] },
    }),
    'post /api/v1/items/{id}/p2p-report': async () => ({
      body: { fromPeers: 1, fromWebSeed: 2, toPeers: 3 },
      as: 'anonymous',
    }),
    'options /api/v1/uploads': async () => ({ headers: TUS }),
    'post /api/v1/uploads': async () => ({ headers: { ...TUS, 'upload-length': '4' } }),
    'options /api/v1/uploads/{id}': async () => ({ params: { id: await tusUpload() }, headers: TUS }),
    'head /api/v1/uploads/{id}': async () => ({ params: { id: await tusUpload() }, headers: TUS }),
    'patch /api/v1/uploads/{id}': async () => ({
      params: { id: await tusUpload() },
      payload: Buffer.from('abcd'),
      headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    }),
    'post /api/v1/uploads/{id}': async () => ({
      params: { id: await tusUpload() },
      headers: { ...TUS, 'x-http-method-override': 'DELETE' },
    }),
    'delete /api/v1/uploads/{id}': async () => ({ params: { id: await tusUpload() }, headers: TUS }),
    'get /items/{id}/files/{*}': async () => ({ params: { '*': 'first.txt' } }),
    'get /items/{id}/derivatives/{file}': async () => ({ params: { file: '360p.mp4' } }),
    'get /items/{id}/captions/{lang}.vtt': async () => ({ params: { lang: 'fr' } }),
    'get /channels/{slug}/feed.rss': async () => ({ params: { slug: 'talks' } }),
    'get /channels/{slug}/feed.atom': async () => ({ params: { slug: 'talks' } }),
    'get /channels/{slug}/feed.json': async () => ({ params: { slug: 'talks' } }),
    'get /oai': async () => ({ query: { verb: 'Identify' } }),
    'get /oembed': async () => ({ query: { url: `http://site.test/items/${item}` } }),
  };
  return {
    s,
    db,
    auth: { admin, bob },
    ids: { item, other, comment, report, job },
    // HEAD asks as GET does.
    call: async (op) => (calls[op] ?? calls[op.replace(/^head /, 'get ')])?.(),
    async close() {
      await s.close();
      await queue.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
