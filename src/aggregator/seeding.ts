/**
 * Seeding what came through the swarm, up to the user's limits: a torrent stops seeding once it has
 * uploaded `seedRatio` times its size, or seeded `seedHours` in total (over every run: the time and
 * bytes are kept in the state). After a restart, `resume` re-adds each torrent that has not reached its
 * limit from `torrents/<infohash>.torrent`; the engine re-verifies the files, then seeds them.
 *
 * Seeding may be paused (`pause`, by the seeding gate: on battery, or no app page open): every torrent
 * stops without being marked done, torrents completed meanwhile are not seeded, and `paused` says why;
 * after `unpause` the aggregator's `resumeSeeding` starts them again.
 */

import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Engine, TorrentSession } from '../engine/index.js';
import { parseMagnet, parseTorrent } from '../torrent/index.js';
import { torrentsDir } from './paths.js';
import type { DownloadRecord, Settings } from './state.js';
import { addPlaced } from './swarm.js';

interface Seed {
  record: DownloadRecord;
  session: TorrentSession;
  lastUploaded: number;
  lastTick: number;
}

/** True when `record` has seeded enough under `settings`. */
export function seedingDone(
  record: DownloadRecord,
  options: { length: number; settings: Settings },
): boolean {
  const { length, settings } = options;
  const s = record.seeding;
  if (!s) return true;
  if (s.done) return true;
  if (settings.seedRatio <= 0 || settings.seedHours <= 0) return true;
  return s.uploaded >= settings.seedRatio * length || s.seededMs >= settings.seedHours * 3_600_000;
}

export class Seeder {
  private readonly seeds = new Map<string, Seed>();
  /** Why seeding is paused now (absent: it is not). */
  paused: string | undefined;
  /** A remark on the gate's decision while seeding (e.g. the power source is unknown: counted as AC). */
  note: string | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly settings: () => Settings,
  ) {}

  /** Count `session` (complete) as seeding `record` from now on. */
  track(record: DownloadRecord, session: TorrentSession, now = Date.now()): void {
    record.seeding ??= { uploaded: 0, downloaded: session.stats().downloaded, seededMs: 0, done: false };
    if (this.paused) {
      void this.engine.remove(session).catch(() => undefined); // seeded once the pause ends
      return;
    }
    this.seeds.set(record.id, { record, session, lastUploaded: session.stats().uploaded, lastTick: now });
  }

  /** Seed `record` again after a restart (its files re-verified by the engine). */
  async resume(record: DownloadRecord, home: string): Promise<TorrentSession | undefined> {
    if (!record.infoHash || this.seeds.has(record.id) || this.paused) return undefined;
    const meta = parseTorrent(await readFile(join(torrentsDir(home), `${record.infoHash}.torrent`)));
    const trackers = record.magnet ? parseMagnet(record.magnet).trackers.map((t) => [t]) : [];
    const session = await addPlaced(
      this.engine,
      { meta },
      { root: dirname(record.base), name: basename(record.base), timeoutSec: 0, readOnly: true, trackers },
    );
    this.track(record, session);
    return session;
  }

  /** Add up what was uploaded since the last tick; stop the torrents that reached a limit. */
  async tick(now = Date.now()): Promise<DownloadRecord[]> {
    const finished: DownloadRecord[] = [];
    for (const seed of this.seeds.values()) {
      const stats = seed.session.stats();
      const s = seed.record.seeding!;
      s.uploaded += Math.max(0, stats.uploaded - seed.lastUploaded);
      seed.lastUploaded = stats.uploaded;
      s.seededMs += Math.max(0, now - seed.lastTick);
      seed.lastTick = now;
      if (seedingDone(seed.record, { length: stats.length, settings: this.settings() }))
        finished.push(seed.record);
    }
    for (const record of finished) await this.stop(record, true);
    return finished;
  }

  /** Stop seeding `record` (`done`: its limit was reached, do not resume it). */
  async stop(record: DownloadRecord, done: boolean): Promise<void> {
    const seed = this.seeds.get(record.id);
    if (!seed) return;
    this.seeds.delete(record.id);
    if (done && record.seeding) record.seeding.done = true;
    await this.engine.remove(seed.session);
  }

  /** Stop every torrent (not done: they seed again after `unpause`), saying why. */
  async pause(reason: string): Promise<void> {
    this.paused = reason;
    await this.tick();
    await Promise.all([...this.seeds.values()].map(({ record }) => this.stop(record, false)));
  }

  /** End the pause (the caller resumes the torrents). */
  unpause(): void {
    this.paused = undefined;
  }

  list(): { record: DownloadRecord; session: TorrentSession }[] {
    return [...this.seeds.values()].map(({ record, session }) => ({ record, session }));
  }
}
