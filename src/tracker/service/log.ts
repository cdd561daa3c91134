/**
 * The tracker's warning log: every bad request is logged, but a flood of junk must not become a
 * flood of log lines, so warnings are rate-limited (a burst of `perSecond`, then one line saying how
 * many were suppressed).
 */

export interface TrackerLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** A log that drops everything (the default in tests and embedders that pass none). */
export const silentLog: TrackerLog = { warn() {} };

/** Wraps `log` so that at most `perSecond` warnings a second get through. */
export function rateLimited(
  log: TrackerLog,
  options: { perSecond?: number; now?: () => number } = {},
): TrackerLog {
  const perSecond = options.perSecond ?? 20;
  const now = options.now ?? Date.now;
  let windowStart = 0;
  let inWindow = 0;
  let suppressed = 0;
  return {
    warn(message, fields) {
      const t = now();
      if (t - windowStart >= 1000) {
        if (suppressed > 0) log.warn(`tracker: ${suppressed} more warnings suppressed`);
        windowStart = t;
        inWindow = 0;
        suppressed = 0;
      }
      if (inWindow++ < perSecond) log.warn(message, fields);
      else suppressed++;
    },
  };
}

/** A log writing one line per warning to a stream (the CLI's stderr). */
export function streamLog(write: (line: string) => void): TrackerLog {
  return {
    warn(message, fields) {
      write(`warn: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
    },
  };
}
