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

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Engine } from '../engine/index.js';
import { isSeedcastError, SeedcastError } from '../errors.js';
import type { OutboundPolicy } from '../net/index.js';
import { type Metainfo, parseMagnet } from '../torrent/index.js';
import { assertDiskSpace } from './disk.js';
import { policyForFeed } from './http.js';
import { downloadHttp } from './http-download.js';
import { recordFor } from './items.js';
import { keepTorrent, prune } from './library-files.js';
import { acquireLock } from './lock.js';
import { inside, libraryDir, safeExtension, torrentsDir } from './paths.js';
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
} from './state.js';
import { mergeFeeds } from './subscriptions.js';
import {
  addPlaced,
  downloadSwarm,
  fetchTorrent,
  matchesTorrent,
  placedPath,
  torrentFromInfo,
} from './swarm.js';
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
  private readonly active = new Map<string, Active>();
  /** When each download was last started by this process (retries wait: 5 min, 10 min, 20 min ...). */
  private readonly tried = new Map<string, number>();
  private readonly seeder: Seeder;
  /** Metainfo of downloads whose swarm attempt got that far (an HTTP fallback is checked against it). */
  private readonly metas = new Map<string, Metainfo>();
  private idleWaiters: (() => void)[] = [];
  /** Aborted by `close`: downloads in flight stop where they are, to be resumed by the next sync. */
  private readonly stopping = new AbortController();
  private failures = 0;

  constructor(
    readonly home: string,
    private readonly options: AggregatorOptions,
  ) {
    this.seeder = new Seeder(options.engine, () => this.state.settings);
  }

  private emit(event: SyncEvent): void {
    this.options.onEvent?.(event);
  }

  /** Take the lock and read the state. */
  async open(): Promise<void> {
    this.release = await acquireLock(this.home);
    await removeStaleTemps(this.home);
    this.state = await loadState(this.home);
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

  /** Save the state (serialised; subscriptions re-read from disk first). */
  persist(): Promise<void> {
    this.saving = this.saving
      .then(async () => {
        const disk = await loadState(this.home).catch(() => undefined);
        if (disk) {
          const merged = mergeFeeds(disk.feeds, this.state.feeds);
          const kept = new Set(merged.map((f) => f.url));
          const gone = this.state.feeds.filter((f) => !kept.has(f.url)).map((f) => f.url);
          this.state.feeds = merged;
          for (const url of gone) await this.forget(url);
        }
        await saveState(this.home, this.state);
      })
      .catch((err: Error) =>
        this.emit({ type: 'warning', message: `cannot save the state: ${err.message}` }),
      );
    return this.saving;
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
    if (feed.options.autoDownload) {
      for (const item of result.fresh) {
        const record = recordFor(this.state, item, { home: this.home, feed, now });
        if (!record) continue;
        this.state.downloads.push(record);
        queued++;
      }
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
      via: 'http',
      done: 0,
      total: record.length,
      startedAt: Date.now(),
      startDone: 0,
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
          await this.viaSwarm(record, active);
          done = true;
        } catch (err) {
          if (!record.media || this.stopping.signal.aborted) throw err;
          this.emit({ type: 'fallback', record, message: (err as Error).message });
        }
      }
      if (!done) {
        await this.viaHttp(record, active);
        await this.checkAgainstTorrent(record);
      }
      record.status = 'complete';
      record.completedAt = new Date().toISOString();
      this.emit({ type: 'done', record });
      await prune(this.home, this.state, record.feed, this.seeder, (removed) =>
        this.emit({ type: 'removed', record: removed }),
      );
    } catch (err) {
      if (this.stopping.signal.aborted) {
        record.status = 'downloading'; // interrupted: the next sync resumes it
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

  private async viaHttp(record: DownloadRecord, active: Active): Promise<void> {
    if (!record.media) throw new SeedcastError('AGGREGATOR_FETCH', 'the item has no HTTP enclosure');
    const path = inside(
      libraryDir(this.home),
      `${record.base}${safeExtension(record.media, record.mediaType)}`,
    );
    await mkdir(dirname(path), { recursive: true });
    Object.assign(active, { via: 'http', done: 0, startDone: -1, startedAt: Date.now() });
    delete active.session;
    record.path = path;
    record.via = 'http';
    await downloadHttp(record.media, path, {
      policy: await policyForFeed(record.feed, this.options.policy),
      ...(record.length !== undefined ? { length: record.length } : {}),
      ...(record.integrity ? { integrity: record.integrity } : {}),
      minFreeBytes: this.state.settings.minFreeBytes,
      signal: this.stopping.signal,
      ...(record.mediaValidator ? { validator: record.mediaValidator } : {}),
      onValidator: (v) => {
        if (v === record.mediaValidator) return;
        record.mediaValidator = v;
        void this.persist();
      },
      onProgress: (done, total) => {
        if (active.startDone < 0) {
          active.startDone = done;
          active.startedAt = Date.now();
        }
        active.done = done;
        active.total = total;
      },
    });
  }

  private async viaSwarm(record: DownloadRecord, active: Active): Promise<void> {
    active.via = 'swarm';
    let source: { meta: Metainfo } | { magnet: ReturnType<typeof parseMagnet> };
    if (record.torrent) {
      const { bytes, meta } = await fetchTorrent(
        record.torrent,
        await policyForFeed(record.feed, this.options.policy),
      );
      await keepTorrent(this.home, meta.infoHash, bytes);
      source = { meta };
    } else {
      source = { magnet: parseMagnet(record.magnet!) };
    }
    const root = dirname(record.base);
    const name = record.base.slice(root.length + 1);
    await mkdir(root, { recursive: true });
    // The disk-space guard: the torrent's size when known, else what the feed promised (a magnet's xl).
    const size = 'meta' in source ? source.meta.length : (record.length ?? 0);
    await assertDiskSpace(record.base, size, { reserve: this.state.settings.minFreeBytes });
    const accept = (meta: Metainfo) => {
      if (!meta.multiFile && record.length !== undefined && meta.length !== record.length)
        throw new SeedcastError(
          'AGGREGATOR_VERIFY',
          `the torrent holds ${meta.length} bytes, the feed promised ${record.length}`,
        );
      record.infoHash = meta.infoHash;
      record.path = placedPath(meta, root, name);
      record.via = 'swarm';
      this.metas.set(record.id, meta);
    };
    const session = await downloadSwarm(this.options.engine, source, {
      root,
      name,
      timeoutSec: this.state.settings.swarmTimeout,
      signal: this.stopping.signal,
      accept,
      onStats: (s) => {
        active.session = s;
        const stats = s.stats();
        active.done = stats.length - stats.left;
        active.total = stats.length || undefined;
      },
    });
    if (!session.meta) throw new SeedcastError('INTERNAL', 'complete without metadata');
    accept(session.meta);
    if ('magnet' in source)
      await keepTorrent(this.home, session.meta.infoHash, torrentFromInfo(session.meta.infoBytes));
    this.seeder.track(record, session);
  }

  /** After an HTTP fallback: the file must match the torrent's hashes; when it sits where the swarm puts it, seed it. */
  private async checkAgainstTorrent(record: DownloadRecord): Promise<void> {
    const meta = this.metas.get(record.id);
    this.metas.delete(record.id);
    if (!meta || meta.multiFile || !record.path) return;
    if (!(await matchesTorrent(meta, record.path))) {
      await rm(record.path, { force: true });
      throw new SeedcastError(
        'AGGREGATOR_VERIFY',
        `${record.media}: the file does not match the torrent's hashes`,
      );
    }
    const root = dirname(record.base);
    const name = record.base.slice(root.length + 1);
    if (placedPath(meta, root, name) !== record.path || this.state.settings.seedRatio <= 0) return;
    if (!existsSync(join(torrentsDir(this.home), `${meta.infoHash}.torrent`)))
      await keepTorrent(this.home, meta.infoHash, torrentFromInfo(meta.infoBytes));
    const session = await addPlaced(
      this.options.engine,
      { meta },
      { root, name, timeoutSec: 0, readOnly: true },
    );
    this.seeder.track(record, session);
    this.emit({ type: 'seeding', record });
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
