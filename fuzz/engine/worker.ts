/**
 * The fuzzing loop for one target, run in a worker thread so that the parent can stop it when an
 * input hangs or exhausts the heap. Before each input the worker publishes it in shared memory (its
 * length, its bytes, the time it started) so the parent can save the input that killed it.
 *
 * Loop: run the seed corpus, keeping what adds coverage; then pick a corpus entry, mutate it, run
 * it, and keep it if it reached a new feature (see coverage.ts). Taking V8's coverage costs 2-3 ms
 * however little ran, so inputs run in batches of 128 with one take per batch: when a batch reached
 * a block never reached before, its halves are run again, each with its own take, down to the
 * single inputs that did it, which are kept if they have new features (blocks or count buckets).
 * Count buckets alone are only noticed in those single runs (a batch sums its inputs' counts).
 * An input that breaks the contract is shrunk (chunks removed while the same kind of error still
 * comes from the same place) and reported; the loop goes on, reporting each distinct finding once.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadTarget } from '../targets/index.js';
import { Coverage } from './coverage.js';
import { mutate, Rng } from './mutate.js';
import { check, signature } from './target.js';

export interface WorkerInput {
  target: string;
  deadline: number;
  seed: number;
  /** Seed corpus (read only) and working corpus (new entries are written there). */
  seedDir: string;
  workDir: string | null;
  maxLen: number | null;
  /** Int32 [state, length] + Float64 started-at + bytes; see run.ts. */
  shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'finding'; kind: string; where: string; message: string; input: Uint8Array }
  | { type: 'stats'; execs: number; corpus: number; features: number; final: boolean };

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

function readDir(dir: string): Buffer[] {
  try {
    return readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f)));
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const target = await loadTarget(input.target);
  const run = target.make();
  const maxLen = input.maxLen ?? target.maxLen ?? 4096;
  const cover = target.cover ?? ['/src/'];
  const coverage = new Coverage((url) => cover.some((c) => url.includes(c)));
  const state = new Int32Array(input.shared, 0, 2);
  const started = new Float64Array(input.shared, 8, 1);
  const bytes = new Uint8Array(input.shared, 16);
  const rng = new Rng(input.seed);
  const dictionary = (target.dictionary ?? []).map((t) => Buffer.from(t, 'latin1'));
  const seen = new Set<number>();
  const seenBlocks = new Set<number>();
  const corpus: Buffer[] = [];
  const reported = new Set<string>();
  let execs = 0;

  const exec = (data: Buffer): unknown => {
    const n = Math.min(data.length, bytes.length);
    bytes.set(data.subarray(0, n));
    state[1] = n;
    started[0] = Date.now();
    Atomics.store(state, 0, 1);
    const err = check(run, data);
    Atomics.store(state, 0, 0);
    execs++;
    return err;
  };
  const fresh = (): boolean => {
    let added = false;
    for (const f of coverage.take()) {
      if (!seen.has(f)) {
        seen.add(f);
        seenBlocks.add(Math.floor(f / 16));
        added = true;
      }
    }
    return added;
  };
  const newBlock = (): boolean => coverage.take().some((f) => !seenBlocks.has(Math.floor(f / 16)));
  const report = (data: Buffer, err: unknown) => {
    const sig = signature(err);
    const key = `${sig.kind} ${sig.where}`;
    if (reported.has(key)) return;
    reported.add(key);
    // Shrink: drop chunks, halving their size, while the same kind of error comes from the same place.
    let small = data;
    for (let chunk = Math.max(1, small.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let at = 0; at + chunk <= small.length; ) {
        const candidate = Buffer.concat([small.subarray(0, at), small.subarray(at + chunk)]);
        const e = exec(candidate);
        const s = e ? signature(e) : null;
        if (s && s.kind === sig.kind && s.where === sig.where) small = candidate;
        else at += chunk;
      }
    }
    coverage.take();
    post({ type: 'finding', ...sig, input: new Uint8Array(small) });
  };
  const keep = (data: Buffer) => {
    corpus.push(data);
    if (input.workDir) {
      const name = createHash('sha1').update(data).digest('hex');
      writeFileSync(join(input.workDir, name), data);
    }
  };

  if (input.workDir) mkdirSync(input.workDir, { recursive: true });
  coverage.start();
  coverage.take();
  const seeds = [...readDir(input.seedDir), ...(input.workDir ? readDir(input.workDir) : [])];
  if (seeds.length === 0) seeds.push(Buffer.alloc(0));
  for (const s of seeds) {
    const err = exec(s);
    if (fresh() || corpus.length === 0) corpus.push(s);
    if (err) report(s, err);
  }
  const source = {
    dictionary,
    maxLen,
    other: () => (corpus.length > 1 ? corpus[rng.below(corpus.length)] : undefined),
  };
  let lastStats = Date.now();
  /** Finds, by halving, the inputs of `items` (which together reached a new block) that did it. */
  const explore = (items: Buffer[]): void => {
    if (items.length === 1) {
      exec(items[0]!);
      if (fresh()) keep(items[0]!);
      return;
    }
    const half = items.length >> 1;
    for (const part of [items.slice(0, half), items.slice(half)]) {
      for (const d of part) exec(d);
      if (newBlock()) explore(part);
    }
  };
  const batch: Buffer[] = [];
  while (Date.now() < input.deadline) {
    batch.length = 0;
    for (let i = 0; i < 128; i++) {
      // Favour recent entries a little: they are where coverage last grew.
      const pick = rng.chance(0.3)
        ? corpus.length - 1 - rng.below(Math.min(corpus.length, 16))
        : rng.below(corpus.length);
      const data = mutate(corpus[pick]!, rng, source);
      const err = exec(data);
      batch.push(data);
      if (err) report(data, err);
    }
    if (newBlock()) explore(batch);
    if (Date.now() - lastStats > 5000) {
      lastStats = Date.now();
      post({ type: 'stats', execs, corpus: corpus.length, features: seen.size, final: false });
    }
  }
  coverage.stop();
  post({ type: 'stats', execs, corpus: corpus.length, features: seen.size, final: true });
}

await main();
