/**
 * Running an external media tool (ffprobe, ffmpeg) safely: no shell (arguments go to `execve` as
 * they are), stdin closed, a time limit after which the process is killed (SIGKILL), a cap on the
 * bytes kept from stdout (past it the process is killed too) and only the tail of stderr kept. With
 * `onStdoutLine`, stdout is handed over line by line as it comes (ffmpeg's `-progress`) and not kept.
 * Never rejects: every outcome, including a tool that is not installed, is a `ToolResult`.
 */

import { spawn } from 'node:child_process';

export interface ToolOptions {
  /** Milliseconds before the process is killed (default 30 s). */
  timeoutMs?: number;
  /** Bytes of stdout kept; more kills the process (default 1 MiB). */
  maxStdout?: number;
  /** Aborting kills the process. */
  signal?: AbortSignal;
  /**
   * Called with each line of stdout (without its newline) as it arrives; stdout is then not kept
   * (the result's `stdout` is empty) and `maxStdout` caps the length of one line instead.
   */
  onStdoutLine?: (line: string) => void;
}

export type ToolFailure = 'missing' | 'spawn' | 'timeout' | 'overflow' | 'aborted' | 'exit';

export interface ToolResult {
  ok: boolean;
  /** Why it did not succeed (absent when `ok`). */
  failure?: ToolFailure;
  code: number | null;
  stdout: Buffer;
  /** The last few KiB of stderr, as text. */
  stderr: string;
}

const STDERR_TAIL = 4096;

export function runTool(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxStdout = options.maxStdout ?? 1024 * 1024;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: ToolFailure | undefined;
    let settled = false;
    const child = spawn(command, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const kill = (why: ToolFailure) => {
      failure ??= why;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    const onAbort = () => kill('aborted');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (result: ToolResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onLine = options.onStdoutLine;
    let pending = '';
    // A throwing callback is the caller's bug; it must not become an uncaught exception here.
    const deliver = (line: string) => {
      try {
        onLine?.(line);
      } catch {}
    };
    if (onLine) {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        if (failure) return;
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        if (pending.length > maxStdout) return kill('overflow');
        for (const line of lines) {
          if (line.length > maxStdout) return kill('overflow');
          deliver(line.endsWith('\r') ? line.slice(0, -1) : line);
        }
      });
    } else {
      child.stdout.on('data', (chunk: Buffer) => {
        if (failure) return;
        size += chunk.length;
        if (size > maxStdout) return kill('overflow');
        chunks.push(chunk);
      });
    }
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      finish({
        ok: false,
        failure: err.code === 'ENOENT' ? 'missing' : 'spawn',
        code: null,
        stdout: Buffer.alloc(0),
        stderr: err.message,
      });
    });
    child.once('close', (code) => {
      if (onLine && pending && !failure) deliver(pending);
      const why = failure ?? (code === 0 ? undefined : 'exit');
      finish({
        ok: why === undefined,
        ...(why ? { failure: why } : {}),
        code,
        stdout: Buffer.concat(chunks),
        stderr,
      });
    });
  });
}
