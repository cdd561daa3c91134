/**
 * `npm run bench:transcode`: what the job queue costs on top of the ffmpeg work it runs.
 *
 * One clip is generated (default a 1080p, 20-second `testsrc` with a sine tone, AVI with MPEG-4
 * Part 2 video and MP3 audio: a file browsers cannot play). Then its derivative ladder is made by hand
 * and by the queue in turn, BENCH_ROUNDS times (default 3), and by hand once more, one run after the
 * other on the same machine:
 *   (a) by the queue: the clip is published through the API of a real site (`startServer`, the
 *       embedded queue on SQLite, one in-process worker); timed from the `media.derive` job's
 *       enqueue to the job's completion (making every derivative, storing it as a blob, its SHA-384,
 *       the derivatives torrent), read from the job's own times;
 *   (b) by hand: the same `derivativeCommand`s (`planDerivatives` on the same codec facts) run one
 *       after another with `runTool`, nothing else.
 * Printed: every run's time, the overhead ratio a / b of the fastest runs and of the medians (target
 * <= 1.05), and the load average. Then empty jobs per second
 * (`measureEmptyJobs` from `bench/queue-throughput.ts`) on the embedded queue (SQLite and
 * PostgreSQL) and on BullMQ (PostgreSQL and Redis).
 *
 * Options (environment): BENCH_SIZE (default 1920x1080), BENCH_SECONDS (default 20), BENCH_JOBS
 * (empty jobs per queue, default 2000).
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecFacts, derivativeCommand, planDerivatives, probeFile, runTool } from '../src/media/index.js';
import { startServer } from '../src/server.js';
import { measureEmptyJobs, QUEUE_BENCHES } from './queue-throughput.js';

const SIZE = process.env.BENCH_SIZE ?? '1920x1080';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

async function must(command: string, args: string[]): Promise<void> {
  const run = await runTool(command, args, { timeoutMs: 3_600_000 });
  if (!run.ok) throw new Error(`${command} failed: ${run.stderr.trim().slice(-400)}`);
}

async function byQueue(clip: string, dir: string): Promise<{ ms: number; files: number }> {
  const server = await startServer({ host: '127.0.0.1', port: 0, data: join(dir, 'site') });
  try {
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post('/api/v1/users', { username: 'bench', password: 'correct horse' });
    const { token } = (await (
      await post('/api/v1/tokens', { username: 'bench', password: 'correct horse' })
    ).json()) as {
      token: string;
    };
    const form = new FormData();
    form.append('title', 'bench clip');
    form.append('file', new Blob([readFileSync(clip)]), 'clip.avi');
    const res = await fetch(`${server.url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: number };
    const jobs = server.site.jobs!;
    for (;;) {
      const [derive] = await jobs.list({ itemId: id, kind: 'media.derive' });
      if (derive?.state === 'done') {
        const files = (await server.site.derivatives!.list(id)).length;
        return { ms: derive.updatedAt - derive.createdAt, files };
      }
      if (derive?.state === 'failed') throw new Error(`media.derive failed: ${derive.error}`);
      const [analyze] = await jobs.list({ itemId: id, kind: 'media.analyze' });
      if (analyze?.state === 'failed') throw new Error(`media.analyze failed: ${analyze.error}`);
      if (analyze?.state === 'done' && !derive) throw new Error('nothing was planned for the clip');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await server.close();
  }
}

async function byHand(clip: string, dir: string): Promise<{ ms: number; files: number }> {
  const probe = await probeFile(clip, { timeoutMs: 60_000 });
  if (!probe.ok) throw new Error(`ffprobe: ${probe.detail}`);
  const plans = planDerivatives(codecFacts(probe.json, 'clip.avi'));
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  for (const plan of plans) {
    const command = derivativeCommand(plan, { input: clip, output: join(dir, plan.fileName) });
    await must(command.command, command.args);
  }
  return { ms: performance.now() - started, files: plans.length };
}

/** Empty jobs per second on each queue adapter (the jobs' own benchmark, `bench/queue-throughput.ts`). */
async function emptyJobs(): Promise<void> {
  const count = Number(process.env.BENCH_JOBS ?? 2000);
  console.log(`empty jobs: ${count} per queue, 4 workers at once`);
  for (const backend of QUEUE_BENCHES) {
    try {
      const r = await measureEmptyJobs(backend, count);
      console.log(`  ${backend.padEnd(16)} ${r.jobsPerSecond.toFixed(0).padStart(7)} jobs/s`);
    } catch (err) {
      console.log(`  ${backend.padEnd(16)} not measured: ${(err as Error).message}`);
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-transcode-'));
  try {
    const clip = join(dir, 'clip.avi');
    // biome-ignore format: ffmpeg arguments read best in pairs
    await must('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${SIZE}:rate=25:duration=${SECONDS}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`,
      '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame', '-b:a', '128k', clip,
    ]);
    console.log(`clip: ${SIZE}, ${SECONDS} s, AVI (MPEG-4 Part 2 + MP3)`);
    // Rounds of (by hand, by the queue), then by hand once more: a change in the machine's load
    // shows in both. The fastest run of each is compared (the least disturbed by other work).
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
    const hand: { ms: number; files: number }[] = [];
    const queued: { ms: number; files: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      hand.push(await byHand(clip, join(dir, `hand-${r}`)));
      queued.push(await byQueue(clip, join(dir, `queue-${r}`)));
    }
    hand.push(await byHand(clip, join(dir, 'hand-last')));
    const secs = (runs: { ms: number }[]) => runs.map((x) => (x.ms / 1000).toFixed(2)).join(', ');
    const fastest = (runs: { ms: number }[]) => Math.min(...runs.map((x) => x.ms));
    const median = (runs: { ms: number }[]) => {
      const sorted = runs.map((x) => x.ms).sort((a, b) => a - b);
      return sorted[Math.floor((sorted.length - 1) / 2)]!;
    };
    console.log(`(a) by the queue: ${secs(queued)} s for ${queued[0]!.files} derivatives`);
    console.log(`(b) by hand:      ${secs(hand)} s for ${hand[0]!.files} derivatives`);
    console.log(
      `overhead ratio a / b: ${(fastest(queued) / fastest(hand)).toFixed(3)} fastest, ${(median(queued) / median(hand)).toFixed(3)} median (target <= 1.05)`,
    );
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    await emptyJobs();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
