/** The job queue (`types.ts`): embedded in the site's database, or BullMQ; workers. */

export { backoffMs, type QueueTimings } from './common.js';
export { EmbeddedJobQueue } from './embedded.js';
export { NOOP_MAX_MS, noop } from './noop.js';
export { type OpenJobQueueOptions, openJobQueue, parseQueueBackend, type QueueBackend } from './open.js';
export {
  JOB_STATES,
  type Job,
  type JobContext,
  type JobFilter,
  type JobHandler,
  type JobHandlers,
  type JobQueue,
  type JobSpec,
  type JobState,
  type JobWorkers,
} from './types.js';
