/**
 * The media jobs on the embedded queue over a real SQLite catalog and blob store, with real ffprobe
 * and ffmpeg on tiny clips: analysis records facts and the originals' SHA-384 and queues the derive,
 * which stores the derivatives and one derivatives torrent (a folder `derivatives` web-seeded from
 * the item's folder URL); a retry skips the derivatives already stored; progress runs across rungs;
 * a remote store (no local paths) works through temporary copies; an original that plays
 * everywhere is done with no derive at all.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { requireTools, run, tempDir } from '../../test/helpers/tools.js';
import { DerivativeRepository, ItemRepository, SiteLinks, UserRepository } from '../catalog/index.js';
import { openDatabase } from '../db/index.js';
import { EmbeddedJobQueue, type JobQueue } from '../jobs/index.js';
import { type BlobStore, LocalDiskStore, readAll } from '../storage/index.js';
import { parseTorrent } from '../torrent/index.js';
import { mediaJobHandlers } from './jobs.js';
import { type DerivativeMaker, defaultMaker } from './processing-maker.js';

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

async function fixture(t: TestContext, options: { remote?: boolean; maker?: DerivativeMaker } = {}) {
  const dir = tempDir(t);
  const db = await openDatabase({ sqlite: join(dir, 'seedcast.db') });
  t.after(() => db.destroy());
  const owner = await new UserRepository(db, { scrypt: { N: 1024 } }).register({
    username: 'ada',
    password: 'correct horse',
  });
  const items = new ItemRepository(db);
  const derivatives = new DerivativeRepository(db);
  const local = new LocalDiskStore(join(dir, 'blobs'));
  const blobs = options.remote ? remote(local) : local;
  const queue: JobQueue = new EmbeddedJobQueue(db, { pollMs: 50, backoffBaseMs: 50 });
  t.after(() => queue.close());
  const links = new SiteLinks('http://site.test');
  const seeded: number[] = [];
  const progress: number[] = [];
  const handlers = mediaJobHandlers({
    items,
    blobs,
    queue,
    tmpRoot: join(dir, 'tmp'),
    links,
    derivatives,
    onDerivatives: (id) => {
      seeded.push(id);
    },
    ...(options.maker ? { maker: options.maker } : {}),
  });
  const workers = queue.work(
    {
      ...handlers,
      'media.derive': (ctx) =>
        handlers['media.derive']!({
          ...ctx,
          progress: (f) => {
            progress.push(f);
            ctx.progress(f);
          },
        }),
    },
    { concurrency: 1 },
  );
  t.after(() => workers.close());
  const publish = async (name: string, path: string) => {
    const key = `files/${name}`;
    const bytes = readFileSync(path);
    await blobs.put(key, bytes);
    const item = await items.create({
      ownerId: owner.id,
      title: name,
      status: 'ready',
      files: [{ path: name, length: bytes.length, blobKey: key }],
    });
    await derivatives.setProcessing(item.id, 'queued');
    await queue.enqueue({ kind: 'media.analyze', itemId: item.id, payload: {} });
    return item.id;
  };
  /** Waits for the item's processing to end (idle may come between attempts, during a backoff). */
  const finished = async (id: number) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const p = await derivatives.processing(id);
      if (p?.state === 'done' || p?.state === 'failed') return p;
      assert.ok(Date.now() < deadline, JSON.stringify(p));
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { dir, items, derivatives, blobs, queue, workers, seeded, progress, publish, finished };
}

function wav(t: TestContext): string {
  const path = join(tempDir(t), 'talk.wav');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-ac', '1', '-ar', '22050', path]);
  return path;
}

const sri = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

for (const where of ['local', 'remote'] as const) {
  test(`a WAV is analysed, then derived into an MP3, a waveform and one derivatives torrent (${where} store)`, async (t) => {
    if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
    const f = await fixture(t, { remote: where === 'remote' });
    const path = wav(t);
    const id = await f.publish('talk.wav', path);
    await f.finished(id);
    const item = (await f.items.get(id))!;
    assert.equal(item.mediaType, 'audio');
    assert.ok(item.mediaCheckedAt);
    assert.equal(item.files[0]!.integrity, sri(readFileSync(path)), "the original's SHA-384");
    const processing = (await f.derivatives.processing(id))!;
    assert.equal(processing.state, 'done');
    const rows = await f.derivatives.list(id);
    assert.deepEqual(rows.map((r) => r.kind).sort(), ['audio', 'waveform']);
    for (const r of rows) {
      const bytes = await readAll(await f.blobs.get(r.blobKey));
      assert.equal(r.blobKey, `items/${id}/derivatives/${r.path}`);
      assert.equal(bytes.length, r.length);
      assert.equal(r.integrity, sri(bytes));
    }
    const meta = parseTorrent(await readAll(await f.blobs.get(processing.torrent!.torrentKey)));
    assert.equal(meta.name, 'derivatives');
    assert.equal(meta.infoHash, processing.torrent!.infoHash);
    assert.deepEqual(meta.urlList, [`http://site.test/items/${id}/`]);
    assert.deepEqual(
      meta.files.map((file) => file.path.join('/')).sort(),
      rows.map((r) => `derivatives/${r.path}`).sort(),
    );
    assert.deepEqual(f.seeded, [id]);
    // The handler marks the item done; the queue marks its job done just after the handler returns.
    let kinds: string[] = [];
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
      kinds = (await f.queue.list({ itemId: id })).map((j) => `${j.kind}:${j.state}`).sort();
      if (!kinds.some((k) => k.endsWith(':running')) || Date.now() > deadline) break;
    }
    assert.deepEqual(kinds, ['media.analyze:done', 'media.derive:done']);
  });
}

test('a retry skips the derivatives already stored, and progress runs across the rungs', async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
  const real = defaultMaker();
  const made: string[] = [];
  let failed = false;
  const maker: DerivativeMaker = {
    plan: real.plan,
    async make(plan, input, output, options) {
      if (made.length === 1 && !failed) {
        failed = true;
        throw new Error('a passing failure');
      }
      made.push(plan.fileName);
      return real.make(plan, input, output, options);
    },
  };
  const f = await fixture(t, { maker });
  const id = await f.publish('talk.wav', wav(t));
  assert.equal((await f.finished(id)).state, 'done');
  assert.equal(new Set(made).size, made.length, `each derivative made once: ${made}`);
  assert.equal(made.length, 2);
  const [derive] = await f.queue.list({ itemId: id, kind: 'media.derive' });
  assert.equal(derive!.attempts, 2);
  assert.ok(
    f.progress.some((p) => p > 0 && p < 1),
    `progress between: ${f.progress}`,
  );
  assert.equal(f.progress.at(-1), 1);
});

test('an original that plays everywhere needs no derive job', async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
  const nothing: DerivativeMaker = { plan: async () => [], make: async () => ({}) };
  const f = await fixture(t, { maker: nothing });
  const id = await f.publish('talk.wav', wav(t));
  assert.equal((await f.finished(id)).state, 'done');
  assert.deepEqual(
    (await f.queue.list({ itemId: id })).map((j) => j.kind),
    ['media.analyze'],
  );
});
