/**
 * The job queue's types: what a job is, what a handler gets, and the `JobQueue` interface that the
 * embedded adapter (a table in the site's database, SQLite or PostgreSQL) and the BullMQ adapter
 * (PostgreSQL or Redis) both implement, checked by one contract suite. Every kind of background
 * work on media (analysis, thumbnails, derivatives; later fixity and mirroring) is a job.
 */

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

/** What to run: a kind (the handler's name), the item it works on, and plain JSON data. */
export interface JobSpec {
  kind: string;
  /** The item the job works on: deleting or taking down the item cancels the job. */
  itemId?: number;
  payload?: Record<string, unknown>;
  /** Attempts before the job is marked failed (default 3); retries back off exponentially. */
  maxAttempts?: number;
  /** Not run before this many milliseconds from now. */
  delayMs?: number;
}

export interface Job {
  id: string;
  kind: string;
  itemId: number | null;
  payload: Record<string, unknown>;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** 0..1 while running, when the handler reports it. */
  progress: number | null;
  /** The last attempt's error. */
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface JobContext {
  job: Job;
  /** Aborted when the job is cancelled (its item deleted) or the worker stops. */
  signal: AbortSignal;
  /** Reports progress (0..1); persisted at most every second or so. */
  progress(fraction: number): void;
  log(message: string): void;
}

/** Runs one job; throwing fails the attempt (retried while attempts remain). */
export type JobHandler = (ctx: JobContext) => Promise<void>;

export type JobHandlers = Readonly<Record<string, JobHandler>>;

export interface JobFilter {
  states?: readonly JobState[];
  itemId?: number;
  kind?: string;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/** Jobs being run by one process's workers. */
export interface JobWorkers {
  /** Resolves when this process runs nothing and nothing is ready to claim. */
  idle(): Promise<void>;
  /** Stops claiming, aborts running handlers and waits for them (their jobs go back to the queue). */
  close(): Promise<void>;
}

export interface JobQueue {
  /** Which adapter: `embedded` or `bullmq`. */
  readonly backend: 'embedded' | 'bullmq';
  enqueue(spec: JobSpec): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  list(filter?: JobFilter): Promise<Job[]>;
  /** Cancels the item's queued and running jobs; resolves with how many. */
  cancelItem(itemId: number): Promise<number>;
  /** Queues a failed or cancelled job again with fresh attempts; false when it cannot. */
  retry(id: string): Promise<boolean>;
  counts(): Promise<Record<JobState, number>>;
  /** Starts running jobs of the kinds given, `concurrency` at a time, in this process. */
  work(handlers: JobHandlers, options: { concurrency: number; log?: (message: string) => void }): JobWorkers;
  close(): Promise<void>;
}
