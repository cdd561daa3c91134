/**
 * Making one derivative on local disk: runs the plan's command (`derivative-command.ts`) through
 * `runTool` (no shell, killed on timeout or abort) into `<output>.partial`, reports progress from
 * ffmpeg's `-progress` lines (`out_time_us` over the source's duration), then checks the result
 * (present, not empty, within `maxBytes`, readable by ffprobe, and not cut short by the size cap)
 * and renames it to `output`. The time limit scales with the duration (10x realtime plus a minute,
 * at most 6 hours). Never rejects: every outcome is a `DerivativeResult`, and a failed or aborted run
 * leaves no file behind.
 */

import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { codecFacts } from './codec-facts.js';
import { type CommandOptions, DEFAULT_MAX_BYTES, derivativeCommand } from './derivative-command.js';
import type { DerivativePlan } from './derivative-plan.js';
import { probeFile } from './probe.js';
import { runTool, type ToolFailure } from './run-tool.js';

export interface MakeDerivativeOptions extends CommandOptions {
  signal?: AbortSignal;
  /** Milliseconds the run may take (default: 10x the duration plus 60 s, at most `maxTimeoutMs`). */
  timeoutMs?: number;
  /** Cap on the default time limit (6 hours). */
  maxTimeoutMs?: number;
  /** Called with 0..1 as the run goes (at most once per percent), and 1 when it succeeded. */
  onProgress?: (fraction: number) => void;
  /** The ffprobe command that checks the output (default `ffprobe`). */
  ffprobe?: string;
}

export type DerivativeResult =
  | {
      ok: true;
      path: string;
      length: number;
      width?: number;
      height?: number;
      /** Bits per second, as ffprobe reads the output. */
      bitrate?: number;
      durationMs?: number;
    }
  | { ok: false; error: string };

const MINUTE = 60_000;
const MAX_TIMEOUT = 6 * 3600_000;

/** The time limit for a plan: 10x its duration plus a minute (capped), or 5 minutes for an untimed still. */
export function derivativeTimeout(plan: DerivativePlan, cap = MAX_TIMEOUT): number {
  const base = plan.seconds === undefined ? 5 * MINUTE : plan.seconds * 10_000 + MINUTE;
  return Math.min(cap, Math.ceil(base));
}

/** Makes `plan` from `paths.input` at `paths.output` (absolute paths); never rejects. */
export async function makeDerivative(
  plan: DerivativePlan,
  paths: { input: string; output: string },
  options: MakeDerivativeOptions = {},
): Promise<DerivativeResult> {
  let writes: string | undefined;
  try {
    const { output } = paths;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const command = derivativeCommand(plan, { input: paths.input, output: `${output}.partial` }, options);
    writes = command.writes;
    await mkdir(dirname(output), { recursive: true });
    await rm(writes, { force: true });
    if (options.signal?.aborted) return { ok: false, error: 'aborted' };

    const total = plan.seconds !== undefined && plan.seconds > 0 ? plan.seconds * 1e6 : undefined;
    let reported = -1;
    const progress = (fraction: number) => {
      const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      if (percent <= reported) return;
      reported = percent;
      try {
        options.onProgress?.(percent / 100);
      } catch {}
    };
    const onStdoutLine = (line: string) => {
      const m = /^out_time_us=(\d+)$/.exec(line);
      if (m && total) progress(Math.min(0.99, Number(m[1]) / total));
    };
    const run = await runTool(command.command, command.args, {
      timeoutMs: options.timeoutMs ?? derivativeTimeout(plan, options.maxTimeoutMs),
      maxStdout: 64 * 1024,
      signal: options.signal,
      onStdoutLine,
    });
    if (!run.ok) {
      await rm(writes, { force: true });
      return { ok: false, error: failureMessage(command.command, run.failure ?? 'exit', run.stderr) };
    }
    const length = await stat(writes).then(
      (s) => s.size,
      () => 0,
    );
    if (length === 0) {
      await rm(writes, { force: true });
      return {
        ok: false,
        error: `${command.command} wrote nothing (${lastLine(run.stderr) || 'no picture or sound'})`,
      };
    }
    if (length > maxBytes) {
      await rm(writes, { force: true });
      return {
        ok: false,
        error: `the ${plan.label} derivative is larger than the limit of ${maxBytes} bytes`,
      };
    }
    const probe = await probeFile(writes, { ffprobe: options.ffprobe, signal: options.signal });
    if (!probe.ok) {
      await rm(writes, { force: true });
      return {
        ok: false,
        error: `the ${plan.label} derivative is unreadable: ${probe.detail || probe.failure}`,
      };
    }
    const facts = codecFacts(probe.json, plan.fileName);
    if (cutShort(plan, facts.durationMs, length, maxBytes)) {
      await rm(writes, { force: true });
      return {
        ok: false,
        error: `the ${plan.label} derivative reached the limit of ${maxBytes} bytes before the end`,
      };
    }
    await rename(writes, output);
    progress(1);
    const timed = plan.kind === 'video' || plan.kind === 'audio';
    return {
      ok: true,
      path: output,
      length,
      ...(facts.width !== null ? { width: facts.width } : {}),
      ...(facts.height !== null ? { height: facts.height } : {}),
      ...(timed && facts.bitrate !== null ? { bitrate: facts.bitrate } : {}),
      ...(timed && facts.durationMs !== null ? { durationMs: facts.durationMs } : {}),
    };
  } catch (err) {
    if (writes) await rm(writes, { force: true }).catch(() => {});
    return { ok: false, error: `cannot make the ${plan.label} derivative: ${(err as Error).message}` };
  }
}

/**
 * ffmpeg's `-fs` ends a run with success, so an output near the cap whose media is shorter than the
 * source's duration (by more than a tenth) was cut there.
 */
function cutShort(
  plan: DerivativePlan,
  durationMs: number | null,
  length: number,
  maxBytes: number,
): boolean {
  if (plan.kind !== 'video' && plan.kind !== 'audio') return false;
  if (length < maxBytes * 0.9 || plan.seconds === undefined) return false;
  return durationMs === null || durationMs < plan.seconds * 900 - 500;
}

function failureMessage(command: string, failure: ToolFailure, stderr: string): string {
  switch (failure) {
    case 'missing':
      return `${command} is not installed`;
    case 'timeout':
      return `${command} took longer than its time limit`;
    case 'aborted':
      return 'aborted';
    case 'overflow':
      return `${command} printed more than expected`;
    case 'spawn':
      return `${command} could not start: ${lastLine(stderr)}`;
    default:
      return `${command} failed: ${lastLine(stderr) || 'no message'}`;
  }
}

/** The last non-empty lines of stderr (at most 300 characters). */
function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-2).join(' / ').slice(-300);
}
