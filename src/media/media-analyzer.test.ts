/**
 * The media analyzer on a real SQLite catalog and blob store with real ffprobe and ffmpeg: facts and a
 * thumbnail recorded for a video (read in place on local disk, or from a temporary copy when the store
 * is remote, removed afterwards); hostile files keep the extension's type and are not tried again;
 * catch-up covers items never analysed; a missing ffprobe leaves items for later; closing stops a
 * run under way; and the queue stays bounded.
 */

import assert from 'node:assert/strict';
import { chmodSync, createReadStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { probeImage, type TestMedia, testMedia } from '../../test/helpers/media.js';
import { tempDir } from '../../test/helpers/tools.js';
import { ItemRepository } from '../catalog/items.js';
import { UserRepository } from '../catalog/users.js';
import { openDatabase } from '../db/index.js';
import { type BlobStore, LocalDiskStore, readAll } from '../storage/index.js';
import { MediaAnalyzer, type MediaAnalyzerOptions, mainMediaFile } from './media-analyzer.js';

interface Fixture {
  items: ItemRepository;
  blobs: BlobStore;
  local: LocalDiskStore;
  dir: string;
  tmpRoot: string;
  /** Publishes `files` (name → local file) as a ready item. */
  publish(files: Record<string, string>, status?: 'ready' | 'pending'): Promise<number>;
  analyzer(options?: Partial<MediaAnalyzerOptions>): MediaAnalyzer;
}

/** The local store seen through another class, as the analyzer sees S3: no local paths. */
function remote(store: LocalDiskStore): BlobStore {
  return {
    put: (k, b, o) => store.put(k, b, o),
    get: (k, r) => store.get(k, r),
    head: (k) => store.head(k),
    delete: (k) => store.delete(k),
    list: (p) => store.list(p),
    close: () => store.close(),
  };
}

async function fixture(t: TestContext, options: { remote?: boolean } = {}): Promise<Fixture> {
  const dir = tempDir(t);
  const db = await openDatabase({ sqlite: join(dir, 'seedcast.db') });
  t.after(() => db.destroy());
  const owner = await new UserRepository(db, { scrypt: { N: 1024 } }).register({
    username: 'ada',
    password: 'correct horse',
  });
  const items = new ItemRepository(db);
  const local = new LocalDiskStore(join(dir, 'blobs'));
  const blobs = options.remote ? remote(local) : local;
  const tmpRoot = join(dir, 'tmp', 'media');
  const analyzers: MediaAnalyzer[] = [];
  t.after(() => Promise.all(analyzers.map((a) => a.close())));
  let n = 0;
  return {
    items,
    blobs,
    local,
    dir,
    tmpRoot,
    async publish(files, status = 'ready') {
      const entries = Object.entries(files);
      const stored = [];
      for (const [name, path] of entries) {
        const key = `files/upload${++n}/0`;
        await blobs.put(key, createReadStream(path));
        stored.push({ path: name, length: (await blobs.head(key))!.size, blobKey: key });
      }
      const item = await items.create({
        ownerId: owner.id,
        title: entries[0]![0],
        status,
        mediaType: 'other',
        files: stored,
      });
      return item.id;
    },
    analyzer(extra = {}) {
      const analyzer = new MediaAnalyzer({ items, blobs, tmpRoot, ...extra });
      analyzers.push(analyzer);
      return analyzer;
    },
  };
}

async function checkVideoItem(f: Fixture, id: number) {
  const item = (await f.items.get(id))!;
  assert.deepEqual(
    [item.mediaType, item.mimeType, item.durationMs, item.width, item.height, item.thumbnailKey],
    ['video', 'video/mp4', 2000, 320, 240, `items/${id}/thumbnail`],
  );
  assert.ok(item.mediaCheckedAt !== null && item.mediaCheckedAt > 0);
  const jpeg = await readAll(await f.blobs.get(item.thumbnailKey!));
  const out = join(f.dir, 'thumb.jpg');
  writeFileSync(out, jpeg);
  assert.deepEqual(probeImage(out), { codec: 'mjpeg', width: 320, height: 240 });
}

const need = (t: TestContext): TestMedia | undefined => testMedia(t);

describe('MediaAnalyzer', () => {
  test('a published video gets its facts and a thumbnail, read in place from local disk', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const id = await f.publish({ 'clip.mp4': media.video });
    assert.equal(await f.analyzer().analyze(id), 'analysed');
    await checkVideoItem(f, id);
    assert.equal(existsSync(f.tmpRoot), false, 'no temporary copy for a local store');
  });

  test('from a remote store the blob is copied to a temporary file, removed afterwards', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t, { remote: true });
    const id = await f.publish({ 'clip.mp4': media.video });
    const audio = await f.publish({ 'song.mp3': media.mp3 });
    const analyzer = f.analyzer({ concurrency: 2 });
    assert.equal(analyzer.add(id), true);
    assert.equal(analyzer.add(audio), true);
    assert.equal(analyzer.add(id), false, 'already queued');
    await analyzer.idle();
    await checkVideoItem(f, id);
    const song = (await f.items.get(audio))!;
    assert.deepEqual(
      [song.mediaType, song.mimeType, song.width, song.thumbnailKey],
      ['audio', 'audio/mpeg', null, `items/${audio}/thumbnail`],
    );
    assert.deepEqual(readdirSync(f.tmpRoot), [], 'temporary copies removed');
  });

  test('hostile files keep the type their extension gave, get no facts, and are not tried again', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const analyzer = f.analyzer();
    for (const path of [media.random, media.truncated, media.playlist]) {
      const id = await f.publish({ 'clip.mp4': path });
      await f.items.update(id, { mediaType: 'video', mimeType: 'video/mp4' });
      assert.equal(await analyzer.analyze(id), 'unrecognised', path);
      const item = (await f.items.get(id))!;
      assert.deepEqual(
        [item.mediaType, item.mimeType, item.durationMs, item.width, item.thumbnailKey],
        ['video', 'video/mp4', null, null, null],
      );
      assert.notEqual(item.mediaCheckedAt, null);
    }
    assert.deepEqual(await f.items.withoutMediaFacts(), []);
    const stored: string[] = [];
    for await (const blob of f.local.list('items/')) stored.push(blob.key);
    assert.deepEqual(stored, [], 'no thumbnail stored');
  });

  test('catch-up analyses every ready item never analysed, and only those', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const video = await f.publish({ 'clip.mp4': media.video });
    const image = await f.publish({ 'a/notes.txt': media.random, 'a/picture.png': media.png });
    const pending = await f.publish({ 'later.mp4': media.video }, 'pending');
    const text = await f.publish({ 'readme.txt': media.random });
    assert.deepEqual(await f.items.withoutMediaFacts(), [video, image, text]);
    assert.equal(await f.analyzer().catchUp(), 3);
    await checkVideoItem(f, video);
    const picture = (await f.items.get(image))!;
    assert.deepEqual(
      [picture.mediaType, picture.mimeType, picture.width, picture.height, picture.durationMs],
      ['image', null, 800, 600, null],
      'two files: the item has no single content type',
    );
    assert.equal(mainMediaFile(picture)?.path, 'a/picture.png');
    assert.equal((await f.items.get(text))!.thumbnailKey, null);
    assert.equal((await f.items.get(pending))!.mediaCheckedAt, null, 'pending items wait');
    assert.deepEqual(await f.items.withoutMediaFacts(), []);
    assert.equal(await f.analyzer().catchUp(), 0, 'nothing left');
  });

  test('a torrent-only item waits until its files are archived', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const id = await f.publish({ 'clip.mp4': media.video });
    const key = (await f.items.get(id))!.files[0]!.blobKey!;
    await f.items.setFileBlob(id, 0, null);
    const analyzer = f.analyzer();
    assert.equal(await analyzer.analyze(id), 'skipped');
    assert.deepEqual(await f.items.withoutMediaFacts(), [id], 'not marked: analysed once archived');
    await f.items.setFileBlob(id, 0, key);
    assert.equal(await analyzer.analyze(id), 'analysed');
    await checkVideoItem(f, id);
  });

  test('without ffprobe items stay unanalysed, for when it is installed', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const id = await f.publish({ 'clip.mp4': media.video });
    const logged: string[] = [];
    const analyzer = f.analyzer({ ffprobe: '/nonexistent/ffprobe', log: (m) => logged.push(m) });
    assert.equal(await analyzer.analyze(id), 'tool-missing');
    assert.equal(await analyzer.catchUp(), 1);
    assert.deepEqual(logged, ['ffprobe is not installed: media facts and thumbnails are off']);
    assert.deepEqual(await f.items.withoutMediaFacts(), [id]);
  });

  test('closing kills a run under way and leaves the item for the next start; the queue is bounded', async (t) => {
    const media = need(t);
    if (!media) return;
    const f = await fixture(t);
    const slow = join(f.dir, 'slow-ffprobe');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(slow, 0o755);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await f.publish({ [`clip${i}.mp4`]: media.video }));
    const analyzer = f.analyzer({ ffprobe: slow, maxQueue: 1 });
    assert.equal(analyzer.add(ids[0]!), true, 'runs at once');
    assert.equal(analyzer.add(ids[1]!), true, 'waits');
    assert.equal(analyzer.add(ids[2]!), false, 'queue full');
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await analyzer.close();
    assert.ok(Date.now() - started < 10_000, 'closed without waiting for the tool');
    assert.equal(analyzer.add(ids[2]!), false, 'closed');
    assert.deepEqual(await f.items.withoutMediaFacts(), ids);
  });
});
