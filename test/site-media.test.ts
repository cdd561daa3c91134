/**
 * Media facts and thumbnails end to end, over real sockets with `startServer` and real ffprobe and
 * ffmpeg: a 2-second 320×240 video published through the API soon shows its duration, size and type,
 * and its thumbnail URL serves a JPEG (ETag, 304, HEAD) whose size ffprobe confirms; an item with
 * nothing to show has no thumbnail (404); and a restarted site analyses items it never analysed.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningServer, startServer } from '../src/server.js';
import { probeImage, testMedia } from './helpers/media.js';
import { freePort, tempDir } from './helpers/tools.js';

interface ItemView {
  id: number;
  mediaType: string;
  mimeType: string | null;
  durationMs: number | null;
  width: number | null;
  height: number | null;
  thumbnailUrl: string | null;
}

async function tokenFor(server: RunningServer): Promise<string> {
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await fetch(`${server.url}/api/v1/users`, json({ username: 'ada', password: 'correct horse' }));
  const res = await fetch(
    `${server.url}/api/v1/tokens`,
    json({ username: 'ada', password: 'correct horse' }),
  );
  return ((await res.json()) as { token: string }).token;
}

async function publish(server: RunningServer, token: string, name: string, bytes: Uint8Array) {
  const form = new FormData();
  form.append('title', name);
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${server.url}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as ItemView;
}

/** The item once its media facts were read (polls the catalog; the API never shows when). */
async function analysed(server: RunningServer, id: number, timeoutMs = 120_000): Promise<ItemView> {
  const deadline = Date.now() + timeoutMs;
  while ((await server.site.items.get(id))?.mediaCheckedAt == null) {
    if (Date.now() > deadline) throw new Error(`item ${id} was not analysed within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const res = await fetch(`${server.url}/api/v1/items/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as ItemView;
}

test('a published video shows its duration, size and type, and serves a JPEG thumbnail', async (t) => {
  const media = testMedia(t);
  if (!media) return;
  const data = tempDir(t, 'seedcast-media-site-');
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data });
  t.after(() => server.close());
  const token = await tokenFor(server);

  const published = await publish(server, token, 'clip.mp4', readFileSync(media.video));
  assert.equal(published.mediaType, 'video', 'the extension gives the type at once');
  const item = await analysed(server, published.id);
  assert.equal(item.mediaType, 'video');
  assert.equal(item.mimeType, 'video/mp4');
  assert.ok(Math.abs(item.durationMs! - 2000) <= 50, `duration ${item.durationMs} ≈ 2000 ms`);
  assert.deepEqual([item.width, item.height], [320, 240]);
  assert.equal(item.thumbnailUrl, `${server.url}/items/${item.id}/thumbnail.jpg`);

  const thumb = await fetch(item.thumbnailUrl!);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  assert.equal(thumb.headers.get('x-content-type-options'), 'nosniff');
  assert.match(thumb.headers.get('cache-control') ?? '', /max-age=\d+/);
  const etag = thumb.headers.get('etag');
  assert.match(etag ?? '', /^".+"$/);
  const jpeg = Buffer.from(await thumb.arrayBuffer());
  assert.equal(Number(thumb.headers.get('content-length')), jpeg.length);
  const saved = join(tempDir(t), 'thumbnail.jpg');
  writeFileSync(saved, jpeg);
  assert.deepEqual(probeImage(saved), { codec: 'mjpeg', width: 320, height: 240 });

  const again = await fetch(item.thumbnailUrl!, { headers: { 'if-none-match': etag! } });
  assert.equal(again.status, 304);
  const head = await fetch(item.thumbnailUrl!, { method: 'HEAD' });
  assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(jpeg.length)]);

  const text = await publish(server, token, 'notes.txt', Buffer.from('not media at all\n'));
  const notes = await analysed(server, text.id);
  assert.deepEqual(
    [notes.mediaType, notes.durationMs, notes.width, notes.thumbnailUrl],
    ['text', null, null, null],
  );
  const none = await fetch(`${server.url}/items/${text.id}/thumbnail.jpg`);
  assert.equal(none.status, 404);
  assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  assert.equal((await fetch(`${server.url}/items/999999/thumbnail.jpg`)).status, 404);
});

test('a restarted site analyses the items it never analysed', async (t) => {
  const media = testMedia(t);
  if (!media) return;
  const data = tempDir(t, 'seedcast-media-restart-');
  const first = await startServer({ host: '127.0.0.1', port: await freePort(), data });
  let id: number;
  try {
    const token = await tokenFor(first);
    id = (await publish(first, token, 'song.mp3', readFileSync(media.mp3))).id;
    await analysed(first, id);
    // As if the site had stopped before analysing it (or the item predates media analysis).
    const item = (await first.site.items.get(id))!;
    await first.site.blobs.delete(item.thumbnailKey!);
    await first.site.items.update(id, {
      durationMs: null,
      thumbnailKey: null,
      mediaType: 'other',
      mediaCheckedAt: null,
    });
  } finally {
    await first.close();
  }
  const second = await startServer({ host: '127.0.0.1', port: await freePort(), data });
  t.after(() => second.close());
  const item = await analysed(second, id);
  assert.equal(item.mediaType, 'audio');
  assert.equal(item.mimeType, 'audio/mpeg');
  assert.ok(Math.abs(item.durationMs! - 2000) <= 100, `duration ${item.durationMs} ≈ 2000 ms`);
  assert.deepEqual([item.width, item.height], [null, null]);
  const cover = await fetch(item.thumbnailUrl!);
  assert.equal(cover.status, 200);
  const saved = join(tempDir(t), 'cover.jpg');
  writeFileSync(saved, Buffer.from(await cover.arrayBuffer()));
  assert.deepEqual(probeImage(saved), { codec: 'mjpeg', width: 200, height: 200 });
});
