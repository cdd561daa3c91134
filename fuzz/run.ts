/**
 * `npm run fuzz -- <target>... | --all [--seconds N] [--timeout MS] [--max-len N] [--seed N]`
 * `npm run fuzz -- --list`
 *
 * Runs each target in turn (never in parallel) for N seconds (default 60) in a worker thread with a
 * 1 GiB heap, watching it: an input still running after --timeout ms (default 2000) is a hang, and a
 * worker that runs out of memory is a finding too; the offending input is saved and the worker
 * restarted for the time left. Findings are saved as fuzz/crashes/<target>/<kind>-<sha1 prefix>,
 * which the test suite replays (test/fuzz-corpus.test.ts). New corpus entries go to
 * fuzz/.corpus/<target>/ (not committed), so later runs start where earlier ones stopped.
 * Exits 1 when anything was found.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from './engine/worker.js';
import { TARGETS } from './targets/index.js';

const ROOT = dirname(fileURLToPath(import.meta.url));
const MAX_INPUT = 1 << 20;

interface Options {
  targets: string[];
  seconds: number;
  timeoutMs: number;
  maxLen: number | null;
  seed: number;
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(
    'usage: npm run fuzz -- <target>... | --all [--seconds N] [--timeout MS] [--max-len N] [--seed N]\n' +
      `       npm run fuzz -- --list\ntargets: ${Object.keys(TARGETS).join(', ')}`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    targets: [],
    seconds: 60,
    timeoutMs: 2000,
    maxLen: null,
    seed: Date.now() % 0x7fffffff,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) usage(`${a} needs a positive number`);
      return v;
    };
    if (a === '--all') o.targets.push(...Object.keys(TARGETS));
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--timeout') o.timeoutMs = num();
    else if (a === '--max-len') o.maxLen = Math.floor(num());
    else if (a === '--seed') o.seed = Math.floor(num());
    else if (a === '--list') {
      for (const [name, t] of Object.entries(TARGETS)) console.log(`${name.padEnd(16)} ${t.description}`);
      process.exit(0);
    } else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (!(a in TARGETS)) usage(`unknown target ${a}`);
    else o.targets.push(a);
  }
  if (o.targets.length === 0) usage('name a target or --all');
  return o;
}

interface Outcome {
  execs: number;
  corpus: number;
  features: number;
  findings: string[];
  restarts: number;
}

function save(target: string, kind: string, data: Uint8Array): string {
  const dir = join(ROOT, 'crashes', target);
  mkdirSync(dir, { recursive: true });
  const name = `${kind.replace(/[^A-Za-z0-9]+/g, '')}-${createHash('sha1').update(data).digest('hex').slice(0, 12)}`;
  writeFileSync(join(dir, name), data);
  return join('fuzz', 'crashes', target, name);
}

/** One worker session until the deadline, a finding that kills it, or an error. */
function session(target: string, o: Options, deadline: number, seed: number, out: Outcome): Promise<boolean> {
  const shared = new SharedArrayBuffer(16 + MAX_INPUT);
  const state = new Int32Array(shared, 0, 2);
  const started = new Float64Array(shared, 8, 1);
  const bytes = new Uint8Array(shared, 16);
  const current = () => bytes.slice(0, state[1]);
  const data: WorkerInput = {
    target,
    deadline,
    seed,
    seedDir: join(ROOT, 'corpus', target),
    workDir: join(ROOT, '.corpus', target),
    maxLen: o.maxLen,
    shared,
  };
  let base = out.execs;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./engine/worker-entry.mjs', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: 1024, stackSizeMb: 4 },
    });
    let killed: string | null = null;
    const watchdog = setInterval(() => {
      if (Atomics.load(state, 0) === 1 && Date.now() - started[0]! > o.timeoutMs) {
        killed = 'timeout';
        const file = save(target, 'timeout', current());
        out.findings.push(`timeout: an input ran over ${o.timeoutMs} ms (${file})`);
        void worker.terminate();
      }
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'stats') {
        out.execs = base + m.execs;
        out.corpus = m.corpus;
        out.features = Math.max(out.features, m.features);
        if (!m.final)
          process.stdout.write(
            `  ${target}: ${out.execs} execs, corpus ${m.corpus}, features ${m.features}\n`,
          );
      } else {
        const file = save(target, m.kind, m.input);
        out.findings.push(`${m.kind} at ${m.where}: ${m.message} (${file})`);
        console.log(`  FOUND ${m.kind} at ${m.where}: ${m.message}\n    saved ${file}`);
      }
    });
    worker.on('error', (err: NodeJS.ErrnoException) => {
      if (killed) return;
      if (Atomics.load(state, 0) !== 1) {
        // Not an input's doing: the worker itself failed (a bug in the fuzzer or the target's setup).
        console.error(`  the ${target} worker failed: ${err.stack ?? err.message}`);
        process.exit(3);
      }
      killed = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'worker-error';
      const file = save(target, killed, current());
      out.findings.push(`${killed}: ${err.message} (${file})`);
      console.log(`  FOUND ${killed}: ${err.message}\n    saved ${file}`);
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      base = out.execs;
      resolve(killed !== null);
    });
  });
}

async function fuzzOne(target: string, o: Options): Promise<Outcome> {
  const out: Outcome = { execs: 0, corpus: 0, features: 0, findings: [], restarts: 0 };
  const deadline = Date.now() + o.seconds * 1000;
  let seed = o.seed;
  // A worker killed by a hang or OOM is restarted for the time left (at most 20 times).
  while (Date.now() < deadline - 500 && out.restarts < 20) {
    const died = await session(target, o, deadline, seed++, out);
    if (!died) break;
    out.restarts++;
  }
  return out;
}

const options = parseArgs(process.argv.slice(2));
let found = 0;
const rows: string[] = [];
for (const target of options.targets) {
  console.log(`fuzzing ${target} for ${options.seconds} s (seed ${options.seed})`);
  const t0 = Date.now();
  const r = await fuzzOne(target, options);
  const secs = (Date.now() - t0) / 1000;
  found += r.findings.length;
  rows.push(
    `${target.padEnd(16)} ${String(r.execs).padStart(9)} execs ${secs.toFixed(0).padStart(5)} s ` +
      `${(r.execs / secs).toFixed(0).padStart(6)}/s  corpus ${String(r.corpus).padStart(5)}  features ${String(r.features).padStart(6)}  findings ${r.findings.length}`,
  );
  for (const f of r.findings) rows.push(`  ${f}`);
}
console.log(`\n${rows.join('\n')}`);
process.exit(found > 0 ? 1 : 0);
