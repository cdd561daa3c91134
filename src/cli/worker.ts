/** `seedcast worker`: runs the site's jobs (media analysis, derivatives) until interrupted. */

import { parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

export const worker: Command = {
  help: `Usage: seedcast worker [--data DIR] [--public-url URL] [--jobs N]

Runs the site's jobs (media analysis, derivatives) from this process, which may be on another
machine: it takes jobs from the site's queue and reads and writes media through the site's storage.
Give it the same database, storage and queue settings as 'seedcast serve' (the same data folder
for SQLite and local disk; or SEEDCAST_DATABASE_URL, SEEDCAST_STORAGE_URL and SEEDCAST_QUEUE).
Prints one line per job finished: "done <id> <kind>" or "failed <id> <kind>: <error>".
SIGTERM or SIGINT stops it; jobs in progress go back to the queue for another worker.

Options (flags win over the environment):
  --data DIR         the site's data folder (SEEDCAST_DATA, default ./seedcast-data)
  --public-url URL   the site's public URL, named in the torrents of derivatives
                     (SEEDCAST_PUBLIC_URL)
  --jobs N           jobs run at once (SEEDCAST_JOBS, default 1)
  -h, --help         show this help

Environment only: SEEDCAST_DATABASE_URL, SEEDCAST_STORAGE_URL, SEEDCAST_QUEUE (embedded | bullmq),
SEEDCAST_REDIS_URL (BullMQ on Redis, when the database is SQLite), SEEDCAST_JOB_LEASE (default 30s:
a killed worker's job is taken by another after this long). See docs/jobs.md.`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      data: { type: 'string' },
      'public-url': { type: 'string' },
      jobs: { type: 'string' },
    });
    const { readConfig } = await import('../config.js');
    const config = readConfig({
      data: stringFlag(args, 'data'),
      publicUrl: stringFlag(args, 'public-url'),
      jobs: stringFlag(args, 'jobs'),
    });
    process.umask(0o077);
    const { startWorker } = await import('../worker.js');
    const say = (line: string) => {
      if (/^(done|failed) /.test(line)) process.stdout.write(`${line}\n`);
      else process.stderr.write(`${line}\n`);
    };
    const running = await startWorker(config, { log: say });
    process.stdout.write(
      `worker: ${config.jobs.workers} job(s) at once from the ${running.queue.backend} queue\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    return 0;
  },
};
