/**
 * Shared helpers for end-to-end tests: real system tools (skipped loudly on a developer machine
 * without them, a failure under CI=true), temporary folders, free ports, and running commands.
 */

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { cliArgv } from './cli-entry.js';

/** The Python that has Debian's python3-libtorrent. */
export const LIBTORRENT_PYTHON = '/usr/bin/python3';

const available = new Map<string, boolean>();

function probe(name: string): boolean {
  if (!available.has(name)) {
    const ok =
      name === 'libtorrent'
        ? spawnSync(LIBTORRENT_PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0
        : spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    available.set(name, ok);
  }
  return available.get(name)!;
}

/**
 * True when every tool is installed. Otherwise: under CI=true the test fails; elsewhere it is skipped
 * with a loud message on stderr. Use as `if (!requireTools(t, 'mktorrent')) return;`.
 */
export function requireTools(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => !probe(n));
  if (missing.length === 0) return true;
  const message = `missing system tool(s): ${missing.join(', ')} (install them: see .ci/run)`;
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return false;
}

/**
 * A fresh temporary folder, removed when the test ends. A process the test started may still be
 * writing into it while it stops (its own `after` hook may run after this one): the removal retries
 * on ENOTEMPTY and EBUSY for a few seconds rather than failing the test.
 */
export function tempDir(t: TestContext, prefix = 'seedcast-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));
  return dir;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The environment of every command a test starts: the test's own, with the DHT kept off the public
 * routers (`SEEDCAST_DHT_BOOTSTRAP=none`: `seed`, `download`, `sync` and `serve` still join a DHT,
 * with no bootstrap node) unless the test chose bootstrap nodes itself.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { SEEDCAST_DHT_BOOTSTRAP: 'none', ...process.env, ...extra };
}

/** Run a command to completion and return its stdout (throws with stderr on a non-zero exit). */
export function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

/** Run a Python script with the interpreter that has libtorrent; its stdout parsed as JSON. */
export function runLibtorrent<T = unknown>(script: string, args: string[] = []): T {
  const out = execFileSync(LIBTORRENT_PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `seedcast` (the built CLI; from source when dist/ is stale: ./cli-entry.ts), as a user would. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgv(args), {
      cwd: options.cwd,
      env: testEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface Running {
  child: ReturnType<typeof spawn>;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start a long-running command (killed when the test ends). */
export function start(
  t: TestContext,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: testEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`exited before ${pattern}; output:\n${out.slice(-3000)}`));
        };
        function done() {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', onExit);
        }
        listeners.add(check);
        child.once('close', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Start `seedcast` (as runCli does) as a long-running command. */
export function startCli(
  t: TestContext,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Running {
  return start(t, process.execPath, cliArgv(args), options);
}
