/**
 * The last-resort handler of the long-running commands (`serve`, `seed`, `download`, `sync`): an
 * error that escapes every `catch` (an `unhandledRejection` or `uncaughtException`) is logged and the
 * process keeps serving, instead of Node's default of exiting, which a hostile peer or a damaged blob
 * could otherwise turn into a crash loop. When the error can be attributed to one torrent (it arose
 * in that session's store, see `engine/fault.ts`), that session is failed: it stops and reports why,
 * and every other session carries on.
 *
 * Log lines are rate-limited (at most `MAX_LINES_PER_MINUTE`), so a storm of errors cannot fill the
 * disk through the log.
 */

import { describeError, failOwner } from '../engine/fault.js'; // not the index: no engine for --help

const MAX_LINES_PER_MINUTE = 30;

export interface LastResortOptions {
  /** Where the lines go (default: standard error). */
  log?: (line: string) => void;
  /** What the process is, for the log line (e.g. `serve`). */
  name?: string;
}

/** Installs the process-level handlers; returns a function that removes them. */
export function installLastResort(options: LastResortOptions = {}): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = options.name ?? 'seedcast';
  let windowStart = Date.now();
  let lines = 0;
  let dropped = 0;
  const handle = (err: unknown, origin: string): void => {
    let isolated = false;
    try {
      isolated = failOwner(err);
    } catch {
      // failing the session must not throw from here
    }
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      if (dropped > 0) log(`${name}: ${dropped} more unhandled error(s) not logged`);
      windowStart = now;
      lines = 0;
      dropped = 0;
    }
    if (++lines > MAX_LINES_PER_MINUTE) {
      dropped++;
      return;
    }
    const stack = err instanceof Error && err.stack ? `\n${err.stack}` : '';
    log(
      `${name}: ${origin}: ${describeError(err)}${isolated ? ' (its torrent was stopped)' : ''}; still running${stack}`,
    );
  };
  const onRejection = (reason: unknown) => handle(reason, 'unhandled rejection');
  const onException = (err: Error) => handle(err, 'uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
