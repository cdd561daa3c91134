/**
 * Fixity that repairs itself (issue 22, slice 3): every stored item is re-hashed against its
 * torrent's piece hashes (BEP 3 SHA-1, BEP 52 SHA-256 layers) once per period, at a bounded byte
 * rate, and pieces that no longer match are fetched again from the swarm and written back.
 *
 * - **Jobs**: `fixity.check` (one item; payload `{ from, damaged, bytes }` when a pass is carried on)
 *   runs on the job queue's workers, `serve`'s or a `seedcast worker`'s: it reads the item through
 *   `BlobPieceStore` for at most `sliceMs` (then queues the rest of the pass as a new job, so a large
 *   item never holds a worker for long), through this process's token bucket (`bytesPerSecond`).
 *   The finished pass is recorded (`FixityStore`: when, what was read, the damaged pieces).
 * - **Scheduling**: each `tickMs` the scheduler keeps up to `batch` checks queued, taking the items
 *   whose last pass is older than `periodMs` (never checked first, then the least recent): the
 *   period spreads the passes, the byte rate spreads the reading.
 * - **Found while serving**: with checks on, pieces the seeding peer finds damaged (a trusted session
 *   hashes each piece when it first serves it) are recorded as a pass's findings are (`found`).
 * - **Repair**: in the process that seeds (`serve`), damage found (by its own check or its seeding
 *   peer, or recorded by a worker elsewhere and picked up at the next tick) is handed to
 *   `Seeding.repair`: the item's session fetches those pieces from peers while it serves the others;
 *   once written back they are checked again from storage, then recorded (`repaired`) and logged.
 * - **Reporting**: `view()` for the admin page and `metricsText()` for `/metrics` (`seedcast_fixity_*`).
 */

import type { ItemRepository } from '../catalog/index.js';
import { RateLimiter } from '../engine/index.js';
import type { JobContext, JobHandlers, JobQueue } from '../jobs/index.js';
import { BlobPieceStore, type BlobStore, readAll } from '../storage/index.js';
import { type Metainfo, parseTorrent } from '../torrent/index.js';
import { type CheckResult, checkPieces } from './fixity-check.js';
import { batches, type DamagedRanges, damagedRanges, overlapsDamage } from './fixity-ranges.js';
import type { RepairItemOptions } from './fixity-repair.js';
import type { FixityRecord, FixityStore, FixityTotals } from './fixity-store.js';
import { fixityMetrics } from './fixity-view.js';

export const FIXITY_JOB = 'fixity.check';

/** The settings (`config-fixity.ts` reads them from the environment). */
export interface FixitySettings {
  /** Periodic checks on (damage is repaired either way). */
  enabled: boolean;
  periodMs: number;
  /** Bytes per second this process's checks read at most (0: no limit). */
  bytesPerSecond: number;
}

/** What repairs need of the seeding side (`Seeding`). */
export interface FixityRepairer {
  isSeeding(itemId: number): boolean;
  repair(itemId: number, pieces: readonly number[], options?: RepairItemOptions): Promise<number[]>;
  /** Where the seeding peer reports pieces it found damaged (hashed as first served, or rechecked). */
  onDamaged?(listener: (itemId: number, pieces: number[]) => void): void;
}

export interface FixityOptions {
  store: FixityStore;
  items: ItemRepository;
  blobs: BlobStore;
  settings: FixitySettings;
  /** The job queue the checks run on; without one, the scheduler checks in this process. */
  jobs?: JobQueue;
  /** The seeding peer of this process (`serve`); absent in `seedcast worker` (no repairs there). */
  seeding?: FixityRepairer;
  log?: (message: string) => void;
  /** Where an S3 object being rewritten is spooled. */
  tmpRoot?: string;
  /** Between scheduler ticks (default 10 minutes) and before the first (default 1 minute). */
  tickMs?: number;
  firstTickMs?: number;
  /** Most checks queued at once (default 20). */
  batch?: number;
  /** Most time one job spends reading before it queues the rest of its pass (default 60 s). */
  sliceMs?: number;
  /** A repair that finds no peer with the pieces gives up after this long (default 1 hour); retried at a later tick. */
  repairTimeoutMs?: number;
  /** Most bytes of pieces one repair holds in memory before writing them back (default 64 MiB). */
  repairBatchBytes?: number;
}

/** What the admin page shows. */
export interface FixityView {
  settings: FixitySettings;
  totals: FixityTotals;
  /** Items damaged, being repaired or repaired, most recent first. */
  items: FixityRecord[];
}

interface Loaded {
  meta: Metainfo;
  keys: string[];
  store: BlobPieceStore;
}

export class Fixity {
  private readonly budget: RateLimiter;
  private readonly repairs = new Map<number, Promise<void>>();
  /** Bytes of items' blobs known damaged in this process (refused by the file routes until repaired). */
  private readonly ranges = new Map<number, DamagedRanges>();
  private readonly stopping = new AbortController();
  private timers: NodeJS.Timeout[] = [];
  private log: (message: string) => void;
  private ticking: Promise<void> | undefined;
  /** Items whose damage grew while their repair ran: repaired again once it ends. */
  private readonly again = new Set<number>();
  /** Findings recorded one at a time (each merges into the item's row). */
  private finding: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FixityOptions) {
    this.budget = new RateLimiter(options.settings.bytesPerSecond);
    this.log = options.log ?? (() => {});
    // With checks on, what the seeding peer finds is recorded and repaired as a pass's findings are.
    if (options.settings.enabled)
      options.seeding?.onDamaged?.((itemId, pieces) => {
        this.finding = this.finding.then(() =>
          this.found(itemId, pieces).catch((err: unknown) =>
            this.log(`fixity: item ${itemId}: ${(err as Error).message}`),
          ),
        );
      });
  }

  setLog(log: (message: string) => void): void {
    this.log = log;
  }

  /** The job handlers (`fixity.check`) for the queue's workers. */
  handlers(): JobHandlers {
    return { [FIXITY_JOB]: (ctx) => this.runJob(ctx) };
  }

  /** Starts the scheduler (checks when enabled; picking up damage to repair either way). */
  start(): void {
    if (this.timers.length > 0) return;
    const tick = () => {
      this.ticking ??= this.tick()
        .catch((err: unknown) => this.log(`fixity: ${(err as Error).message}`))
        .finally(() => {
          this.ticking = undefined;
        });
    };
    const first = setTimeout(tick, this.options.firstTickMs ?? 60_000);
    const every = setInterval(tick, this.options.tickMs ?? 600_000);
    first.unref();
    every.unref();
    this.timers.push(first, every);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.stopping.abort();
    this.budget.close();
    await this.ticking;
    await this.finding;
    await Promise.allSettled([...this.repairs.values()]);
  }

  /** One round: queue (or run) the checks due, then repair the damage this process can. */
  async tick(): Promise<void> {
    if (this.options.settings.enabled) await this.schedule();
    await this.repairKnownDamage();
  }

  /** Queues checks of the items due, keeping at most `batch` queued; resolves with how many were queued. */
  async schedule(): Promise<number> {
    const { store, jobs, settings } = this.options;
    const batch = this.options.batch ?? 20;
    const before = Date.now() - settings.periodMs;
    if (!jobs) {
      // No queue: check in this process, one item at a time.
      const ids = await store.due(before, batch);
      for (const id of ids)
        if (!this.stopping.signal.aborted) await this.check(id, { signal: this.stopping.signal });
      return ids.length;
    }
    const pending = await jobs.list({ kind: FIXITY_JOB, states: ['queued', 'running'], limit: 1000 });
    const queued = new Set(pending.map((j) => j.itemId));
    const room = batch - pending.length;
    if (room <= 0) return 0;
    let n = 0;
    for (const id of await store.due(before, batch + pending.length)) {
      if (n >= room || queued.has(id)) continue;
      await jobs.enqueue({ kind: FIXITY_JOB, itemId: id });
      n++;
    }
    return n;
  }

  /**
   * Checks an item now, in this process (the job's work, a pass at a time): records the pass and,
   * when pieces are damaged and this process seeds the item, starts their repair. Undefined when
   * the item cannot be checked (gone, not ready, files not stored).
   */
  async check(
    itemId: number,
    options: { signal?: AbortSignal; progress?: (fraction: number) => void } = {},
  ): Promise<FixityRecord | undefined> {
    const loaded = await this.load(itemId);
    if (!loaded) return undefined;
    const result = await checkPieces(loaded.meta, loaded.store, { budget: this.budget, ...options });
    return this.finishPass(itemId, result, result.damaged, loaded);
  }

  private async runJob(ctx: JobContext): Promise<void> {
    const itemId = ctx.job.itemId;
    if (itemId === null || this.repairs.has(itemId)) return;
    const loaded = await this.load(itemId);
    if (!loaded) return;
    const payload = ctx.job.payload;
    const from = Number(payload.from ?? 0);
    const before = Array.isArray(payload.damaged) ? payload.damaged.filter(Number.isInteger) : [];
    const result = await checkPieces(loaded.meta, loaded.store, {
      budget: this.budget,
      signal: ctx.signal,
      from,
      until: Date.now() + (this.options.sliceMs ?? 60_000),
      progress: (f) => ctx.progress(f),
    });
    const damaged = [...before, ...result.damaged];
    const bytes = Number(payload.bytes ?? 0) + result.bytes;
    if (result.next !== undefined) {
      // The rest of the pass is another job: the worker is free for other work in between.
      await this.options.jobs?.enqueue({
        kind: FIXITY_JOB,
        itemId,
        payload: { from: result.next, damaged, bytes },
      });
      return;
    }
    await this.finishPass(itemId, { ...result, bytes }, damaged, loaded);
  }

  private async finishPass(
    itemId: number,
    result: CheckResult,
    damaged: number[],
    loaded: Loaded,
  ): Promise<FixityRecord> {
    const record = await this.options.store.recordPass(itemId, {
      at: Date.now(),
      bytes: result.bytes,
      files: result.files,
      damaged,
    });
    this.remember(itemId, loaded, record.damaged);
    if (record.damaged.length > 0) {
      this.log(
        `fixity: item ${itemId}: ${record.damaged.length} damaged piece(s) in storage: ${record.damaged.slice(0, 20).join(', ')}`,
      );
      if (this.options.seeding?.isSeeding(itemId)) void this.repair(itemId);
    }
    return record;
  }

  /**
   * Damage found outside a pass (by the seeding peer): recorded (the admin page, `/metrics`), refused
   * by the file routes, and repaired from the swarm here (after the repair under way, if any).
   */
  async found(itemId: number, pieces: readonly number[]): Promise<FixityRecord | undefined> {
    if (pieces.length === 0 || this.stopping.signal.aborted) return undefined;
    const record = await this.options.store.recordFound(itemId, { at: Date.now(), pieces });
    if (record.damaged.length === 0) return undefined; // the item is gone
    const loaded = await this.load(itemId);
    if (loaded) this.remember(itemId, loaded, record.damaged);
    this.log(
      `fixity: item ${itemId}: ${pieces.length} piece(s) failed their hash as they were served: ${pieces.slice(0, 20).join(', ')}`,
    );
    if (this.options.seeding?.isSeeding(itemId)) {
      if (this.repairs.has(itemId)) this.again.add(itemId);
      else void this.repair(itemId);
    }
    return record;
  }

  /**
   * True when bytes [offset, offset + length) of blob `key` of the item are in pieces known to be
   * damaged here (found by this process, or being repaired by it): not to be served until repaired.
   */
  damagedRange(itemId: number, key: string, offset: number, length: number): boolean {
    return overlapsDamage(this.ranges.get(itemId), key, offset, length);
  }

  private remember(itemId: number, loaded: Loaded, pieces: readonly number[]): void {
    if (pieces.length === 0) this.ranges.delete(itemId);
    else this.ranges.set(itemId, damagedRanges(loaded.meta, loaded.keys, pieces));
  }

  /** The item's torrent and a store over its blobs, when it can be checked. */
  private async load(itemId: number): Promise<Loaded | undefined> {
    const { items, blobs } = this.options;
    const item = await items.get(itemId);
    if (item?.status !== 'ready' || !item.torrentKey || item.files.some((f) => !f.blobKey)) return undefined;
    const meta = parseTorrent(await readAll(await blobs.get(item.torrentKey)));
    const keys = item.files.map((f) => f.blobKey!);
    return { meta, keys, store: new BlobPieceStore(meta, blobs, { keys }) };
  }

  /** Repairs the item's recorded damage from the swarm (one repair per item at a time). */
  repair(itemId: number): Promise<void> {
    let running = this.repairs.get(itemId);
    if (!running) {
      running = this.runRepair(itemId).finally(() => {
        this.repairs.delete(itemId);
        // Damage found while it ran: a repair of its own (the record holds what is left).
        if (this.again.delete(itemId) && !this.stopping.signal.aborted) void this.repair(itemId);
      });
      this.repairs.set(itemId, running);
    }
    return running;
  }

  /** True while this process repairs the item. */
  isRepairing(itemId: number): boolean {
    return this.repairs.has(itemId);
  }

  private async runRepair(itemId: number): Promise<void> {
    const { store, seeding } = this.options;
    const record = await store.get(itemId);
    if (!seeding || !record || record.damaged.length === 0) return;
    await store.setState(itemId, 'repairing');
    const loaded = await this.load(itemId);
    if (loaded) this.remember(itemId, loaded, record.damaged);
    this.log(`fixity: item ${itemId}: repairing ${record.damaged.length} piece(s) from the swarm`);
    const signal = AbortSignal.any([
      AbortSignal.timeout(this.options.repairTimeoutMs ?? 3_600_000),
      this.stopping.signal,
    ]);
    try {
      if (!loaded) throw new Error('the item can no longer be read');
      let left = record.damaged;
      // In batches: the pieces of a batch are held in memory until they are written back.
      for (const batch of batches(
        left,
        loaded.meta.pieceLength,
        this.options.repairBatchBytes ?? 64 * 1024 * 1024,
      )) {
        const done = await seeding.repair(itemId, batch, {
          signal,
          ...(this.options.tmpRoot ? { tmpRoot: this.options.tmpRoot } : {}),
        });
        // Read back from storage: what was written must be what the hashes say.
        const bad = (await checkPieces(loaded.meta, loaded.store, { pieces: done })).damaged;
        const fixed = done.filter((i) => !bad.includes(i));
        const after = await store.recordRepair(itemId, { at: Date.now(), pieces: fixed });
        left = after.damaged;
        this.remember(itemId, loaded, left);
        if (bad.length > 0) throw new Error(`${bad.length} piece(s) still damaged after writing them back`);
        this.log(
          `fixity: item ${itemId}: ${fixed.length} piece(s) repaired from the swarm${left.length ? `, ${left.length} left` : ''}`,
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      await store.setState(itemId, 'damaged', message).catch(() => undefined);
      this.log(`fixity: item ${itemId}: repair failed: ${message}`);
    }
  }

  /** Damage recorded (by this process or a worker elsewhere) and not being repaired: repair what this process seeds. */
  private async repairKnownDamage(): Promise<void> {
    const seeding = this.options.seeding;
    if (!seeding) return;
    for (const record of await this.options.store.notOk(200)) {
      if (record.state === 'repaired' || record.damaged.length === 0) continue;
      if (this.repairs.has(record.itemId) || !seeding.isSeeding(record.itemId)) continue;
      void this.repair(record.itemId);
    }
  }

  /**
   * Pieces known damaged and not yet repaired, by item: a trusted start treats them as missing
   * (`Seeding.damagedSource`), so they are never served before the repair.
   */
  async knownDamage(limit = 100_000): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    for (const r of await this.options.store.notOk(limit)) {
      if (r.state !== 'repaired' && r.damaged.length > 0) out.set(r.itemId, r.damaged);
    }
    return out;
  }

  /** Totals and the items not `ok`, for the admin page. */
  async view(limit = 50): Promise<FixityView> {
    const [totals, items] = await Promise.all([this.options.store.totals(), this.options.store.notOk(limit)]);
    return {
      settings: this.options.settings,
      totals,
      // A repair this process runs is `repairing` even before its row says so.
      items: items.map((r) =>
        this.repairs.has(r.itemId) && r.damaged.length > 0 ? { ...r, state: 'repairing' } : r,
      ),
    };
  }

  /** The `seedcast_fixity_*` lines of `/metrics` (Prometheus text format 0.0.4). */
  async metricsText(): Promise<string> {
    return fixityMetrics(await this.options.store.totals(), this.repairs.size);
  }
}
