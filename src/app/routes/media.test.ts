import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appKit, completeEpisode } from '../../../test/helpers/app-kit.js';
import { libraryDir } from '../../aggregator/index.js';
import { mediaRoutes } from './media.js';

const ID = '0123456789abcdef';
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

describe('GET /media/<id>', () => {
  it('sends the whole file, one range (206), and 416 past the end', async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    await completeEpisode(kit, { id: ID, bytes: BYTES, mediaType: 'audio/mpeg' });
    const whole = await kit.request({ method: 'GET', url: `/media/${ID}` });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers['content-type'], 'audio/mpeg');
    assert.equal(whole.headers['content-length'], '1000');
    assert.deepEqual(whole.rawPayload, BYTES);
    const part = await kit.request({
      method: 'GET',
      url: `/media/${ID}`,
      headers: { range: 'bytes=100-199' },
    });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], 'bytes 100-199/1000');
    assert.deepEqual(part.rawPayload, BYTES.subarray(100, 200));
    const tail = await kit.request({ method: 'GET', url: `/media/${ID}`, headers: { range: 'bytes=-10' } });
    assert.deepEqual(tail.rawPayload, BYTES.subarray(990));
    const open = await kit.request({ method: 'GET', url: `/media/${ID}`, headers: { range: 'bytes=900-' } });
    assert.equal(open.headers['content-range'], 'bytes 900-999/1000');
    const past = await kit.request({ method: 'GET', url: `/media/${ID}`, headers: { range: 'bytes=1000-' } });
    assert.equal(past.statusCode, 416);
    assert.equal(past.headers['content-range'], 'bytes */1000');
    const head = await kit.request({ method: 'HEAD', url: `/media/${ID}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '1000');
    assert.equal(head.rawPayload.length, 0);
  });

  it('honours If-Range: the same version gets the range, another the whole file', async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    await completeEpisode(kit, { id: ID, bytes: BYTES });
    const first = await kit.request({ method: 'GET', url: `/media/${ID}` });
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    const same = await kit.request({
      method: 'GET',
      url: `/media/${ID}`,
      headers: { range: 'bytes=0-9', 'if-range': etag },
    });
    assert.equal(same.statusCode, 206);
    const byDate = await kit.request({
      method: 'GET',
      url: `/media/${ID}`,
      headers: { range: 'bytes=0-9', 'if-range': lastModified },
    });
    assert.equal(byDate.statusCode, 206);
    const other = await kit.request({
      method: 'GET',
      url: `/media/${ID}`,
      headers: { range: 'bytes=0-9', 'if-range': '"something-else"' },
    });
    assert.equal(other.statusCode, 200);
    assert.equal(other.rawPayload.length, 1000);
  });

  it('types files by the feed (audio/video only) or the extension, never as a page', async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    await completeEpisode(kit, { id: ID, bytes: BYTES, file: 'S/a.webm', mediaType: 'text/html' });
    await completeEpisode(kit, {
      id: `${ID.slice(0, 15)}0`,
      bytes: BYTES,
      file: 'S/b.html',
      mediaType: 'text/html',
    });
    const a = await kit.request({ method: 'GET', url: `/media/${ID}` });
    assert.equal(a.headers['content-type'], 'video/webm');
    const b = await kit.request({ method: 'GET', url: `/media/${ID.slice(0, 15)}0` });
    assert.equal(b.headers['content-type'], 'application/octet-stream');
    assert.equal(b.headers['content-security-policy'], 'sandbox');
    assert.equal(b.headers['x-content-type-options'], 'nosniff');
  });

  it('is 404 until complete, and for files outside the library (even through a link)', async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    await completeEpisode(kit, { id: ID, bytes: BYTES, status: 'downloading' });
    assert.equal((await kit.request({ method: 'GET', url: `/media/${ID}` })).statusCode, 404);
    const outside = join(kit.home, 'app-secret-copy.mp3');
    writeFileSync(outside, 'secret');
    await completeEpisode(kit, { id: `${ID.slice(0, 15)}1`, path: outside });
    assert.equal((await kit.request({ method: 'GET', url: `/media/${ID.slice(0, 15)}1` })).statusCode, 404);
    mkdirSync(join(libraryDir(kit.home), 'S'), { recursive: true });
    const link = join(libraryDir(kit.home), 'S', 'link.mp3');
    symlinkSync(outside, link);
    await completeEpisode(kit, { id: `${ID.slice(0, 15)}2`, path: link });
    const linked = await kit.request({ method: 'GET', url: `/media/${ID.slice(0, 15)}2` });
    assert.equal(linked.statusCode, 404);
    assert.doesNotMatch(linked.body, /secret"/);
    await completeEpisode(kit, {
      id: `${ID.slice(0, 15)}3`,
      path: join(libraryDir(kit.home), '..', 'state.json'),
    });
    assert.equal((await kit.request({ method: 'GET', url: `/media/${ID.slice(0, 15)}3` })).statusCode, 404);
    assert.equal((await kit.request({ method: 'GET', url: '/media/ffffffffffffffff' })).statusCode, 404);
    assert.equal((await kit.request({ method: 'GET', url: '/media/..%2fstate.json' })).statusCode, 400);
  });

  it("serves a multi-file torrent's largest audio or video file", async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    const dir = join(libraryDir(kit.home), 'S', 'Pack');
    mkdirSync(join(dir, 'extras'), { recursive: true });
    writeFileSync(join(dir, 'cover.jpg'), Buffer.alloc(5000));
    writeFileSync(join(dir, 'notes.txt'), Buffer.alloc(4000));
    writeFileSync(join(dir, 'intro.mp3'), Buffer.alloc(100));
    writeFileSync(join(dir, 'extras', 'episode.m4a'), BYTES);
    await completeEpisode(kit, { id: ID, path: dir });
    const res = await kit.request({ method: 'GET', url: `/media/${ID}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'audio/mp4');
    assert.deepEqual(res.rawPayload, BYTES);
  });

  it('needs the session cookie', async (t) => {
    const kit = await appKit(t, [mediaRoutes]);
    await completeEpisode(kit, { id: ID, bytes: BYTES });
    const res = await kit.request({ method: 'GET', url: `/media/${ID}`, headers: { cookie: '' } });
    assert.equal(res.statusCode, 403);
  });
});
