/**
 * `kill -9` of a `seedcast worker` in the middle of a real transcode (issue 18): the site (SQLite,
 * no job workers of its own) publishes an AVI; worker A claims its `media.derive` job and is killed
 * while ffmpeg runs; once A's lease (2 s here) runs out, worker B takes the job and completes it,
 * once. The item ends `done` with each derivative recorded once, and the derive job shows two
 * attempts and no error.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../src/config.js';
import { eventually } from '../src/jobs/contract.js';
import { startServer } from '../src/server.js';
import { publish, settled, tokenFor } from './helpers/derivatives.js';
import { freePort, type Running, requireTools, run, startCli, tempDir } from './helpers/tools.js';

test('a worker killed with SIGKILL mid-transcode: another worker completes the derive job once', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return;
  const dir = tempDir(t, 'seedcast-kill-transcode-');
  // 640x480 for 8 s: a 480p rung, a 360p rung, a poster and a storyboard, several seconds of work.
  const avi = join(dir, 'clip.avi');
  run('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25:duration=8'],
    ...['-f', 'lavfi', '-i', 'sine=duration=8', '-c:v', 'mpeg4', '-q:v', '3', '-c:a', 'libmp3lame', avi],
  ]);
  const port = await freePort();
  const data = join(dir, 'site');
  const publicUrl = `http://127.0.0.1:${port}`;
  const base = readConfig({}, {});
  const server = await startServer({
    host: '127.0.0.1',
    port,
    data,
    publicUrl,
    allowPrivateUrls: true,
    jobs: { ...base.jobs, workers: 0, leaseMs: 2000 },
  });
  const workers: Running[] = [];
  t.after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await server.close();
  });
  const worker = () => {
    const w = startCli(t, ['worker', '--data', data, '--jobs', '1'], {
      env: { SEEDCAST_JOB_LEASE: '2s', SEEDCAST_PUBLIC_URL: publicUrl },
    });
    workers.push(w);
    return w;
  };
  const jobs = server.site.jobs;
  assert.ok(jobs, 'the site has a job queue');

  const a = worker();
  const token = await tokenFor(server);
  const { id } = await publish(server, token, avi, 'clip.avi');
  // A finishes the analysis, then starts transcoding: killed once ffmpeg has made some progress.
  const derive = await eventually(
    'worker A to be transcoding',
    async () => {
      const [job] = await jobs.list({ itemId: id, kind: 'media.derive', states: ['running'] });
      return job && (job.progress ?? 0) > 0 ? job : undefined;
    },
    120_000,
  );
  assert.equal(derive.attempts, 1);
  a.child.kill('SIGKILL');
  assert.equal(await a.exited, null, 'killed by the signal');
  assert.doesNotMatch(a.output(), new RegExp(`^done ${derive.id} `, 'm'));

  const b = worker();
  await b.waitFor(new RegExp(`^done ${derive.id} media\\.derive`, 'm'), 180_000);
  const { item } = await settled(server, id, 60_000);
  assert.equal(item.processing?.state, 'done', JSON.stringify(item.processing));
  const finished = await jobs.get(derive.id);
  assert.equal(finished?.state, 'done');
  assert.equal(finished?.attempts, 2, 'run by A, then by B');
  assert.equal(finished?.error ?? null, null);
  // Completed once: one `done` line, each derivative once, the video rungs playable.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(b.output().match(new RegExp(`^done ${derive.id} `, 'gm'))?.length, 1);
  const labels = (item.derivatives ?? []).map((d) => `${d.kind}:${d.label}`);
  assert.equal(new Set(labels).size, labels.length, `no derivative twice: ${labels.join(', ')}`);
  const video = item.derivatives?.find((d) => d.kind === 'video');
  assert.ok(video, `a video rung: ${labels.join(', ')}`);
  const head = await fetch(video.url, { headers: { range: 'bytes=0-11' } });
  assert.equal(head.status, 206);
  assert.equal(
    Buffer.from(await head.arrayBuffer())
      .subarray(4, 8)
      .toString('latin1'),
    'ftyp',
  );
  await b.stop('SIGTERM');
});
