/** The job queue contract on the embedded adapter over a SQLite file (two connections: two processes). */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/index.js';
import { jobQueueContract } from './contract.js';
import { EmbeddedJobQueue } from './embedded.js';

let dir = '';
let n = 0;
jobQueueContract('embedded on SQLite', {
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'seedcast-jobs-'));
  },
  async fresh() {
    const file = join(dir, `jobs-${++n}.sqlite`);
    return async (timings) =>
      new EmbeddedJobQueue(await openDatabase({ sqlite: file }), { ...timings, ownsDatabase: true });
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
