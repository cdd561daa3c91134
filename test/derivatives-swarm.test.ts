/**
 * Derivatives travel like originals (issue 18): a WAV published through the API of a real site is
 * processed by the job queue (the item says queued/running, then done) into an MP3 and a waveform,
 * listed in the item's `derivatives` with absolute URLs, integrity, the derivatives torrent and its
 * magnet; the files answer `Range` at `/items/:id/derivatives/<file>`; and libtorrent downloads the
 * derivatives torrent from the site alone, by its `.torrent` and by its magnet link, byte-exact.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { startWorker } from '../src/worker.js';
import { publish, settled, tokenFor } from './helpers/derivatives.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, run, start, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

const sha384 = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

async function libtorrent(t: TestContext, source: string, out: string) {
  mkdirSync(out, { recursive: true });
  const child = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'download_sources', source, out], {
    env: { LT_TIMEOUT: '90' },
  });
  const code = await child.exited;
  assert.equal(code, 0, `lt_tool failed:\n${child.output()}`);
  const got = JSON.parse(child.output().trim().split('\n').pop()!);
  assert.equal(got.have, got.total, `libtorrent finished: ${JSON.stringify(got)}`);
  return got as { from_peers: number; from_web_seeds: number };
}

test('a WAV becomes an MP3 and a waveform that libtorrent downloads from the site alone', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe', 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-derivatives-swarm-');
  const wav = join(dir, 'talk.wav');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=2',
    '-ac',
    '1',
    '-ar',
    '22050',
    wav,
  ]);
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'site'),
    allowPrivateUrls: true,
  });
  t.after(() => server.close());
  const token = await tokenFor(server);
  const created = await publish(server, token, wav, 'talk.wav');
  // The publish answer already says the media work is queued (or under way), with no derivatives.
  assert.match(created.processing?.state ?? '', /^(queued|running)$/, JSON.stringify(created.processing));
  assert.deepEqual(created.derivatives, []);
  const { id } = created;
  const { item, seen } = await settled(server, id);
  assert.equal(item.processing?.state, 'done', JSON.stringify(item.processing));
  assert.ok(seen.size >= 1);

  const derivatives = item.derivatives ?? [];
  const mp3 = derivatives.find((d) => d.mime === 'audio/mpeg');
  assert.ok(mp3, `an MP3 among ${JSON.stringify(derivatives)}`);
  assert.equal(mp3.kind, 'audio');
  assert.ok(
    derivatives.some((d) => d.kind === 'waveform'),
    'a waveform',
  );
  for (const d of derivatives) {
    assert.match(d.url, new RegExp(`^${server.url}/items/${id}/derivatives/[^/]+$`));
    assert.equal(d.torrentUrl, `${server.url}/items/${id}/derivatives.torrent`);
    assert.match(d.magnet ?? '', /^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
  }

  // The files over HTTP: whole, Range, integrity.
  const whole = Buffer.from(await (await fetch(mp3.url)).arrayBuffer());
  assert.equal(whole.length, mp3.length);
  assert.equal(sha384(whole), mp3.integrity);
  const part = await fetch(mp3.url, { headers: { range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${mp3.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(10, 20));
  assert.equal((await fetch(`${server.url}/items/${id}/derivatives/nope.mp3`)).status, 404);
  const head = await fetch(mp3.url, { method: 'HEAD' });
  assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(mp3.length)]);
  assert.equal(head.headers.get('content-security-policy'), 'sandbox');
  const etag = head.headers.get('etag')!;
  assert.equal((await fetch(mp3.url, { headers: { 'if-none-match': etag } })).status, 304);
  const past = await fetch(mp3.url, { headers: { range: `bytes=${mp3.length}-` } });
  assert.deepEqual([past.status, past.headers.get('content-range')], [416, `bytes */${mp3.length}`]);

  // The derivatives torrent, from the site alone: its peer and its web seed.
  const torrentRes = await fetch(mp3.torrentUrl!);
  assert.equal(torrentRes.status, 200);
  assert.equal(torrentRes.headers.get('content-type'), 'application/x-bittorrent');
  const torrentPath = join(dir, 'derivatives.torrent');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(torrentPath, Buffer.from(await torrentRes.arrayBuffer()));
  const files = async (out: string) => {
    for (const d of derivatives) {
      const name = decodeURIComponent(d.url.split('/').pop()!);
      const got = readFileSync(join(out, 'derivatives', name));
      const served = Buffer.from(await (await fetch(d.url)).arrayBuffer());
      assert.ok(got.equals(served), `${name}: byte-exact`);
    }
  };
  const viaTorrent = await libtorrent(t, torrentPath, join(dir, 'lt-torrent'));
  await files(join(dir, 'lt-torrent'));
  const viaMagnet = await libtorrent(t, mp3.magnet!, join(dir, 'lt-magnet'));
  await files(join(dir, 'lt-magnet'));
  t.diagnostic(`libtorrent: .torrent ${JSON.stringify(viaTorrent)}, magnet ${JSON.stringify(viaMagnet)}`);
  assert.ok(server.site.seeding.derived.isSeeding(id), "the site's peer seeds the derivatives");
});

test("derivatives a `seedcast worker` made are seeded by the site's peer, found in the database", {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe', 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-derivatives-worker-');
  const wav = join(dir, 'talk.wav');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', wav]);
  const port = await freePort();
  const data = join(dir, 'site');
  const publicUrl = `http://127.0.0.1:${port}`;
  const base = readConfig({}, {});
  // The site runs no jobs itself; a worker (same data folder and database) runs them.
  const server = await startServer({
    host: '127.0.0.1',
    port,
    data,
    publicUrl,
    allowPrivateUrls: true,
    jobs: { ...base.jobs, workers: 0 },
  });
  t.after(() => server.close());
  const worker = await startWorker({ data, publicUrl, jobs: { ...base.jobs, workers: 1 } });
  t.after(() => worker.close());
  const token = await tokenFor(server);
  const { id } = await publish(server, token, wav, 'talk.wav');
  const { item } = await settled(server, id);
  assert.equal(item.processing?.state, 'done', JSON.stringify(item.processing));
  const mp3 = item.derivatives?.find((d) => d.mime === 'audio/mpeg');
  assert.ok(mp3?.magnet);
  // The site learns of the torrent when libtorrent announces it (or at its next refresh).
  const out = join(dir, 'lt-magnet');
  const started = Date.now();
  await libtorrent(t, mp3.magnet, out);
  t.diagnostic(`libtorrent finished the magnet in ${Date.now() - started} ms`);
  assert.ok(server.site.seeding.derived.isSeeding(id));
  assert.equal((await fetch(mp3.torrentUrl!)).status, 200);
  const got = readFileSync(join(out, 'derivatives', decodeURIComponent(mp3.url.split('/').pop()!)));
  assert.ok(got.equals(Buffer.from(await (await fetch(mp3.url)).arrayBuffer())), 'byte-exact');
});
