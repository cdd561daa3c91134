/**
 * The sync loop: poll the feeds that are due (all of them for `sync --once`), turn new items into
 * download records, run the downloads through a queue with a concurrency limit (swarm first, HTTP as
 * the fallback), keep the newest N per feed, and seed what came through the swarm. Every change is saved
 * through one serialised, atomic writer that first re-reads the subscriptions from disk, so `subscribe`
 * and `unsubscribe` run while a sync is going are kept. Reports what happens through `onEvent`; never
 * prints.
 *
 * Feed URLs are the user's choice and may be anywhere. The enclosures and `.torrent` URLs a feed names
 * (and every redirect they lead to) are the feed publisher's: they are fetched under the outbound
 * policy (public addresses only) unless the feed itself is on an inside address (a NAS, a LAN
 * server), whose enclosures may be there too. The engine's peers and trackers are not restricted
 * (the user chose to download the torrent).
 */

import type { Engine } from '../engine/index.js';
import { isSeedcastError, SeedcastError } from '../errors.js';
import type { OutboundPolicy } from '../net/index.js';
import type { Metainfo } from '../torrent/index.js';
import { enforceBudget } from './budget.js';
import { checkAgainstTorrent, viaHttp, viaSwarm } from './fetch-episode.js';
import { recordFor } from './items.js';
import { prune } from './library-files.js';
import { acquireLock } from './lock.js';
import { isDue, pollFeed } from './poll.js';
import { Seeder } from './seeding.js';
import { type ActiveDownload, buildSnapshot, runLimited } from './snapshot.js';
import {
  type DownloadRecord,
  type FeedState,
  loadState,
  removeStaleTemps,
  type State,
  saveState,
  stateFileStamp,
} from './state.js';
import { withStateEdit } from './state-lock.js';
import { mergeFeeds } from './subscriptions.js';
import type { SyncEvent, SyncSnapshot } from './view.js';

export interface AggregatorOptions {
  /** The BitTorrent engine, already listening (chosen by the command). */
  engine: Engine;
  onEvent?: (event: SyncEvent) => void;
  /** Milliseconds to wait for a feed's headers. */
  feedTimeoutMs?: number;
  /** The rule for enclosure and torrent URLs of feeds at public addresses (default: public only). */
  policy?: OutboundPolicy;
}

const RETRYABLE = new Set(['AGGREGATOR_FETCH', 'AGGREGATOR_STALLED', 'AGGREGATOR_DISK']);
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 5 * 60_000;

type Active = ActiveDownload;

export class Aggregator {
  state!: State;
  private release: (() => Promise<void>) | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** `stateFileStamp` of the file as this process last read or wrote it. */
  private stamp: string | undefined;
  /** @internal Downloads running now (read by `episodes.ts` and the snapshot). */
  readonly active = new Map<string, Active>();
  /** @internal When each download was last started by this process (retries wait: 5 min, 10 min, 20 min ...). */
  readonly tried = new Map<string, number>();
  /** @internal */
  readonly seeder: Seeder;
  /** Metainfo of downloads whose swarm attempt got that far (an HTTP fallback is checked against it). */
  /** @internal */
  readonly metas = new Map<string, Metainfo>();
  private idleWaiters: (() => void)[] = [];
  /** Aborted by `close`: downloads in flight stop where they are, to be resumed by the next sync. */
  /** @internal */
  readonly stopping = new AbortController();
  private failures = 0;
  /** Why new downloads wait (the disk budget is full and nothing can go: `budget.ts`). */
  budgetWait: string | undefined;

  constructor(
    readonly home: string,
    /** @internal */
    readonly options: AggregatorOptions,
  ) {
    this.seeder = new Seeder(options.engine, () => this.state.settings);
  }

  /** @internal */
  emit(event: SyncEvent): void {
    this.options.onEvent?.(event);
  }

  /** Take the lock and read the state. */
  async open(): Promise<void> {
    this.release = await acquireLock(this.home);
    await removeStaleTemps(this.home);
    this.stamp = await stateFileStamp(this.home); // before reading: a write in between is re-read
    this.state = await loadState(this.home);
    this.options.engine.setUploadRateLimit(this.state.settings.uploadRateLimit);
  }

  /** Stop the downloads in flight (left resumable), every torrent; save; release the lock. */
  async close(): Promise<void> {
    this.stopping.abort();
    if (this.active.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.seeder.tick();
    // In parallel: each torrent may wait up to 2 s for its tracker's `stopped` answer.
    await Promise.all(this.seeder.list().map(({ record }) => this.seeder.stop(record, false)));
    await this.persist();
    await this.release?.();
    this.release = undefined;
  }

  /** Save the state (serialised, and one edit of the file at a time; subscriptions re-read from disk first). */
  persist(): Promise<void> {
    this.saving = this.saving
      .then(() =>
        withStateEdit(this.home, async () => {
          // Re-read only when someone else (a CLI command) wrote the file since our last save.
          if (await this.changedOnDisk()) {
            const disk = await loadState(this.home).catch(() => undefined);
            if (disk) await this.takeFeeds(disk.feeds);
          }
          await saveState(this.home, this.state);
          this.stamp = await stateFileStamp(this.home);
        }),
      )
      .catch((err: Error) =>
        this.emit({ type: 'warning', message: `cannot save the state: ${err.message}` }),
      );
    return this.saving;
  }

  /** True when another process (a CLI command) wrote the state file since this one last read or wrote it. */
  async changedOnDisk(): Promise<boolean> {
    return (await stateFileStamp(this.home)) !== this.stamp;
  }

  /** Take the subscriptions on disk into the running state (a feed gone from disk is forgotten). */
  private async takeFeeds(disk: FeedState[]): Promise<void> {
    const merged = mergeFeeds(disk, this.state.feeds);
    const kept = new Set(merged.map((f) => f.url));
    const gone = this.state.feeds.filter((f) => !kept.has(f.url)).map((f) => f.url);
    this.state.feeds = merged;
    for (const url of gone) await this.forget(url);
  }

  /** A feed was unsubscribed while we ran: stop seeding what it brought, drop what it queued. */
  private async forget(url: string): Promise<void> {
    for (const record of this.state.downloads) {
      if (record.feed !== url) continue;
      await this.seeder.stop(record, true);
      if (record.seeding) record.seeding.done = true;
      if (record.status === 'queued' || (record.status === 'failed' && record.retry)) {
        record.status = 'failed';
        record.error = 'unsubscribed';
        delete record.retry;
      }
    }
  }

  private feedOf(record: DownloadRecord): FeedState | undefined {
    return this.state.feeds.find((f) => f.url === record.feed);
  }

  /**
   * Change the subscriptions as `subscribe`/`unsubscribe` do on disk (the CLI may be writing too):
   * under the state file's edit lock (`state-lock.ts`) and serialised with every other save, read the
   * file, apply `change`, take its subscriptions into the running state and save that.
   */
  updateSubscriptions<T>(change: (state: State) => T): Promise<T> {
    const run = this.saving.then(() =>
      withStateEdit(this.home, async () => {
        const disk = await loadState(this.home);
        const result = change(disk);
        await this.takeFeeds(disk.feeds);
        await saveState(this.home, this.state);
        this.stamp = await stateFileStamp(this.home);
        return result;
      }),
    );
    this.saving = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Poll one feed now (the app's refresh button). */
  async pollNow(url: string): Promise<void> {
    const feed = this.state.feeds.find((f) => f.url === url);
    if (!feed) throw new SeedcastError('AGGREGATOR_NO_FEED', url);
    await this.pollOne(feed, new Date());
    await this.persist();
    this.pump();
  }

  /** Downloads or feeds that failed in this run. */
  get failed(): number {
    return this.failures;
  }

  /** Poll the due feeds (every feed with `force`), queue their new items. */
  async poll(options: { force?: boolean; now?: Date } = {}): Promise<void> {
    const now = options.now ?? new Date();
    const due = this.state.feeds.filter((f) => options.force || isDue(f, now));
    await runLimited(due, 4, (feed) => this.pollOne(feed, now));
    await this.persist();
    this.pump();
  }

  private async pollOne(feed: FeedState, now: Date): Promise<void> {
    const result = await pollFeed(feed, {
      now,
      ...(this.options.feedTimeoutMs ? { timeoutMs: this.options.feedTimeoutMs } : {}),
    });
    if (!result.ok) {
      this.failures++;
      this.emit({ type: 'feed-error', feed, message: result.error });
      return;
    }
    let queued = 0;
    // Fresh items are queued when the show downloads automatically; the rest are listed as `new`.
    for (const item of [...result.fresh, ...result.older]) {
      const record = recordFor(this.state, item, { home: this.home, feed, now });
      if (!record) continue;
      if (!feed.options.autoDownload || !result.fresh.includes(item)) record.status = 'new';
      else queued++;
      this.state.downloads.push(record);
    }
    this.emit({ type: 'feed', feed, fresh: result.fresh.length, queued, changed: result.changed });
  }

  private eligible(r: DownloadRecord): boolean {
    if (this.active.has(r.id)) return false;
    if (!this.state.feeds.some((f) => f.url === r.feed)) return false;
    const last = this.tried.get(r.id);
    if (r.status === 'queued' || r.status === 'downloading') return last === undefined;
    if (r.status !== 'failed' || r.retry !== true || r.attempts >= MAX_ATTEMPTS) return false;
    return last === undefined || Date.now() - last > RETRY_BASE_MS * 2 ** Math.max(0, r.attempts - 1);
  }

  /** Start queued downloads up to the concurrency limit. */
  pump(): void {
    if (this.stopping.signal.aborted) return;
    for (const record of this.state.downloads) {
      if (this.active.size >= Math.max(1, this.state.settings.concurrency)) break;
      if (!this.eligible(record)) continue;
      if (this.budgetWait && record.status !== 'downloading') {
        record.waiting = this.budgetWait;
        continue;
      }
      delete record.waiting;
      this.tried.set(record.id, Date.now());
      void this.download(record).finally(() => {
        this.active.delete(record.id);
        this.pump();
        if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /** Resolves when no download is running and none is eligible. */
  idle(): Promise<void> {
    this.pump();
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async download(record: DownloadRecord): Promise<void> {
    const active: Active = {
      record,
      via: record.torrent || record.magnet ? 'swarm' : 'http', // the swarm is tried first
      done: 0,
      total: record.length,
      startedAt: Date.now(),
      startDone: 0,
      cancel: new AbortController(),
    };
    this.active.set(record.id, active);
    record.status = 'downloading';
    record.attempts++;
    delete record.error;
    delete record.retry;
    await this.persist();
    this.emit({ type: 'start', record });
    try {
      let done = false;
      if (record.torrent || record.magnet) {
        try {
          await viaSwarm(this, record, active);
          done = true;
        } catch (err) {
          if (
            !record.media ||
            this.stopping.signal.aborted ||
            active.cancel?.signal.aborted ||
            !this.feedOf(record)?.options.httpFallback
          )
            throw err;
          this.emit({ type: 'fallback', record, message: (err as Error).message });
        }
      }
      if (!done) {
        await viaHttp(this, record, active);
        await checkAgainstTorrent(this, record);
      }
      record.status = 'complete';
      record.completedAt = new Date().toISOString();
      this.emit({ type: 'done', record });
      await prune(this.home, this.state, record.feed, this.seeder, (removed) =>
        this.emit({ type: 'removed', record: removed }),
      );
      await enforceBudget(this);
    } catch (err) {
      if (this.stopping.signal.aborted) {
        record.status = 'downloading'; // interrupted: the next sync resumes it
        return;
      }
      if (active.cancel?.signal.aborted) {
        record.status = 'new'; // cancelled by the listener (episodes.ts deletes what arrived)
        await this.persist();
        return;
      }
      this.failures++;
      record.status = 'failed';
      record.error = (err as Error).message.split('\n')[0]!;
      if (isSeedcastError(err) && RETRYABLE.has(err.code)) record.retry = true;
      this.emit({ type: 'failed', record, message: record.error });
    }
    await this.persist();
  }

  /** Seed again every completed torrent that has not reached its limit. */
  async resumeSeeding(): Promise<void> {
    for (const record of this.state.downloads) {
      if (record.status !== 'complete' || !record.infoHash || !record.seeding || record.seeding.done)
        continue;
      try {
        await this.seeder.resume(record, this.home);
        this.emit({ type: 'seeding', record });
      } catch (err) {
        this.emit({ type: 'warning', message: `cannot seed ${record.title}: ${(err as Error).message}` });
      }
    }
  }

  /** Account for seeding; stop what reached its limit. */
  async tick(): Promise<void> {
    for (const record of await this.seeder.tick()) this.emit({ type: 'seeding-done', record });
  }

  snapshot(): SyncSnapshot {
    return buildSnapshot(this.state.feeds, {
      active: [...this.active.values()],
      seeding: this.seeder.list(),
    });
  }
}
