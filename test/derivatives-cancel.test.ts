/**
 * Media jobs meet deleted and broken items (issue 18), on a real site with the embedded queue and
 * real ffmpeg: deleting an item while its derivatives are being made cancels its jobs (the running
 * ffmpeg is stopped) and leaves no derivative blob behind; and a corrupt video (a header ffprobe
 * reads, data no decoder can) has its `media.derive` retried, then marked failed, with ffmpeg's
 * error in the item's `processing`.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type DerivativeMaker, defaultMaker } from '../src/media/index.js';
import { startServer } from '../src/server.js';
import { itemJson, publish, settled, tokenFor } from './helpers/derivatives.js';
import { freePort, requireTools, run, tempDir } from './helpers/tools.js';

/** The site's maker, holding every derivative after the first until the job is cancelled. */
function holdingMaker(onHeld: () => void): DerivativeMaker {
  const real = defaultMaker();
  let made = 0;
  return {
    plan: (input, name, options) => real.plan(input, name, options),
    async make(plan, input, output, options) {
      if (made++ >= 1) {
        onHeld();
        await new Promise((_resolve, reject) => {
          if (options.signal.aborted) reject(options.signal.reason);
          options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true });
        });
      }
      return real.make(plan, input, output, options);
    },
  };
}

test('deleting an item while its derivatives are made cancels its jobs and leaves no derivative blob', {
  timeout: 120_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
  const dir = tempDir(t, 'seedcast-derivatives-cancel-');
  const avi = join(dir, 'clip.avi');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=10:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=2',
    '-c:v',
    'mpeg4',
    '-c:a',
    'libmp3lame',
    avi,
  ]);
  let held!: () => void;
  const heldNow = new Promise<void>((resolve) => {
    held = resolve;
  });
  const server = await startServer(
    { host: '127.0.0.1', port: await freePort(), data: join(dir, 'site') },
    { maker: holdingMaker(() => held()) },
  );
  t.after(() => server.close());
  const token = await tokenFor(server);
  const { id } = await publish(server, token, avi, 'clip.avi');
  await heldNow; // one derivative stored, the next one being made
  const jobs = server.site.jobs!;
  const running = await jobs.list({ itemId: id, states: ['running'] });
  assert.deepEqual(
    running.map((j) => j.kind),
    ['media.derive'],
  );
  const stored = [];
  for await (const blob of server.site.blobs.list(`items/${id}/derivatives`)) stored.push(blob.key);
  assert.ok(stored.length >= 1, `a derivative was stored before the delete: ${stored}`);

  const res = await fetch(`${server.url}/api/v1/items/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 204);
  const deadline = Date.now() + 30_000;
  while ((await jobs.list({ itemId: id, states: ['queued', 'running'] })).length > 0) {
    assert.ok(Date.now() < deadline, 'the jobs stop');
    await new Promise((r) => setTimeout(r, 100));
  }
  const states = (await jobs.list({ itemId: id })).map((j) => `${j.kind}:${j.state}`).sort();
  assert.deepEqual(states, ['media.analyze:done', 'media.derive:cancelled']);
  await new Promise((r) => setTimeout(r, 500)); // a handler that was still storing has finished
  const left = [];
  for await (const blob of server.site.blobs.list(`items/${id}/`)) left.push(blob.key);
  assert.deepEqual(left, [], 'no blob of the item is left');
});

test("a corrupt video's derivatives are retried, then failed with ffmpeg's error in the API", {
  timeout: 120_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
  const dir = tempDir(t, 'seedcast-derivatives-fail-');
  const good = join(dir, 'good.avi');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=10:duration=1',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=1',
    '-c:v',
    'mpeg4',
    '-c:a',
    'libmp3lame',
    good,
  ]);
  // The header stays (ffprobe sees an MPEG-4 video), everything after it is noise.
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(good);
  let seed = 1;
  for (let i = 4096; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = seed & 0xff;
  }
  const bad = join(dir, 'broken.avi');
  writeFileSync(bad, bytes);
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'site') });
  t.after(() => server.close());
  const token = await tokenFor(server);
  const { id } = await publish(server, token, bad, 'broken.avi');
  const { item } = await settled(server, id, 90_000);
  assert.equal(item.processing?.state, 'failed', JSON.stringify(item.processing));
  assert.ok((item.processing?.error ?? '').length > 0, 'the error is shown');
  const derive = await server.site.jobs!.list({ itemId: id, kind: 'media.derive' });
  assert.equal(derive.length, 1);
  assert.equal(derive[0]!.state, 'failed');
  assert.equal(derive[0]!.attempts, derive[0]!.maxAttempts, 'every attempt was used');
  assert.equal(derive[0]!.error, item.processing?.error);
  assert.deepEqual((await itemJson(server, id)).derivatives, []);
});
