/**
 * Helpers for the tracker's end-to-end tests: real client processes with their output collected,
 * waiting (with a generous deadline, never as an assertion on speed) for something to happen, and
 * test torrents made with mktorrent, their info hash computed from our bencode decoder.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeWithSpans } from '../../src/bencode/index.js';

export interface Proc {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  stop(): Promise<void>;
}

export function startProc(command: string, args: string[], options: { cwd?: string } = {}): Proc {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
    child.once('error', () => resolve(-1));
  });
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Polls `check` until it is true; rejects with `what` (and `detail()`) after `seconds`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { seconds?: number; detail?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.seconds ?? 90) * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}\n${options.detail?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Makes a .torrent of `path` announcing to `announce` with mktorrent; returns its info hash. */
export function makeTorrent(path: string, announce: string, out: string): Buffer {
  execFileSync('mktorrent', ['-a', announce, '-l', '16', '-o', out, path], { stdio: 'ignore' });
  return infoHashOf(out);
}

/** The v1 info hash: SHA-1 over the exact bytes of the `info` value. */
export function infoHashOf(torrentPath: string): Buffer {
  const bytes = readFileSync(torrentPath);
  const span = decodeWithSpans(bytes).spans.get('info');
  if (!span) throw new Error(`${torrentPath} has no info dictionary`);
  return createHash('sha1').update(bytes.subarray(span.start, span.end)).digest();
}
