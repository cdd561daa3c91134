/**
 * A one-line progress bar for long commands, drawn on stderr only when both stdout and stderr are
 * terminals (never into a pipe or a log file). Redraws at most ten times a second:
 *
 *   hashing [###########---------]  55%  1.1/2.0 GiB  2.4 GiB/s  0:01 left
 */

export interface ProgressOptions {
  /** Word before the bar. */
  label: string;
  /** Draw even when stdout is not a terminal (stderr must still be one). */
  force?: boolean;
  stream?: NodeJS.WriteStream;
  /** Unit of the totals: bytes (default) or plain counts. */
  unit?: 'bytes' | 'count';
}

export interface ProgressBar {
  /** Report `done` of `total`. */
  update(done: number, total: number): void;
  /** Erase the bar (call once, at the end or on error). */
  finish(): void;
  /** True when the bar is drawn at all. */
  readonly active: boolean;
}

const REDRAW_MS = 100;

/** A progress bar; inert (all methods no-ops) when not on a terminal. */
export function createProgressBar(options: ProgressOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const active = stream.isTTY === true && (options.force === true || process.stdout.isTTY === true);
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    active,
    update(done, total) {
      if (!active) return;
      const now = performance.now();
      if (now - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = now;
      const line = formatProgressLine(options.label, done, total, (now - started) / 1000, options.unit);
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r${line.slice(0, width)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (active && drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The text of one progress line (exported for tests). */
export function formatProgressLine(
  label: string,
  done: number,
  total: number,
  seconds: number,
  unit: 'bytes' | 'count' = 'bytes',
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const barWidth = 20;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const fmt = unit === 'bytes' ? formatBytes : String;
  const parts = [label, bar, percent, `${fmt(done)}/${fmt(total)}`];
  if (seconds > 0.2 && done > 0) {
    const rate = done / seconds;
    parts.push(unit === 'bytes' ? `${formatBytes(rate)}/s` : `${rate.toFixed(1)}/s`);
    if (done < total) parts.push(`${formatDuration((total - done) / rate)} left`);
  }
  return parts.join('  ');
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** 75 -> "1:15", 3700 -> "1:01:40". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
