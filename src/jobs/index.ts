/** The job queue (`types.ts`): embedded in the site's database, or BullMQ; workers. */

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
