/**
 * Fetching one episode: through the swarm (a `.torrent` or magnet from the feed, placed where the
 * library wants it, checked against what the feed promised) or over HTTP (resumable, under the
 * outbound policy), and after an HTTP fallback, checking the file against the torrent's hashes so it
 * can be seeded. Called by the aggregator's download queue.
 */

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SeedcastError } from '../errors.js';
import { type Metainfo, parseMagnet } from '../torrent/index.js';
import type { Aggregator } from './aggregator.js';
import { assertDiskSpace } from './disk.js';
import { policyForFeed } from './http.js';
import { downloadHttp } from './http-download.js';
import { keepTorrent } from './library-files.js';
import { inside, libraryDir, safeExtension, torrentsDir } from './paths.js';
import type { ActiveDownload } from './snapshot.js';
import type { DownloadRecord } from './state.js';
import {
  addPlaced,
  downloadSwarm,
  fetchTorrent,
  matchesTorrent,
  placedPath,
  torrentFromInfo,
} from './swarm.js';

export async function viaHttp(
  agg: Aggregator,
  record: DownloadRecord,
  active: ActiveDownload,
): Promise<void> {
  if (!record.media) throw new SeedcastError('AGGREGATOR_FETCH', 'the item has no HTTP enclosure');
  const path = inside(libraryDir(agg.home), `${record.base}${safeExtension(record.media, record.mediaType)}`);
  await mkdir(dirname(path), { recursive: true });
  Object.assign(active, { via: 'http', done: 0, startDone: -1, startedAt: Date.now() });
  delete active.session;
  record.path = path;
  record.via = 'http';
  await downloadHttp(record.media, path, {
    policy: await policyForFeed(record.feed, agg.options.policy),
    ...(record.length !== undefined ? { length: record.length } : {}),
    ...(record.integrity ? { integrity: record.integrity } : {}),
    minFreeBytes: agg.state.settings.minFreeBytes,
    signal: active.cancel
      ? AbortSignal.any([agg.stopping.signal, active.cancel.signal])
      : agg.stopping.signal,
    ...(record.mediaValidator ? { validator: record.mediaValidator } : {}),
    onValidator: (v) => {
      if (v === record.mediaValidator) return;
      record.mediaValidator = v;
      void agg.persist();
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

export async function viaSwarm(
  agg: Aggregator,
  record: DownloadRecord,
  active: ActiveDownload,
): Promise<void> {
  active.via = 'swarm';
  let source: { meta: Metainfo } | { magnet: ReturnType<typeof parseMagnet> };
  if (record.torrent) {
    const { bytes, meta } = await fetchTorrent(
      record.torrent,
      await policyForFeed(record.feed, agg.options.policy),
    );
    await keepTorrent(agg.home, meta.infoHash, bytes);
    source = { meta };
  } else {
    source = { magnet: parseMagnet(record.magnet!) };
  }
  const root = dirname(record.base);
  const name = record.base.slice(root.length + 1);
  await mkdir(root, { recursive: true });
  // The disk-space guard: the torrent's size when known, else what the feed promised (a magnet's xl).
  const size = 'meta' in source ? source.meta.length : (record.length ?? 0);
  await assertDiskSpace(record.base, size, { reserve: agg.state.settings.minFreeBytes });
  const accept = (meta: Metainfo) => {
    if (!meta.multiFile && record.length !== undefined && meta.length !== record.length)
      throw new SeedcastError(
        'AGGREGATOR_VERIFY',
        `the torrent holds ${meta.length} bytes, the feed promised ${record.length}`,
      );
    record.infoHash = meta.infoHash;
    record.path = placedPath(meta, root, name);
    record.via = 'swarm';
    agg.metas.set(record.id, meta);
  };
  const session = await downloadSwarm(agg.options.engine, source, {
    root,
    name,
    timeoutSec: agg.state.settings.swarmTimeout,
    signal: active.cancel
      ? AbortSignal.any([agg.stopping.signal, active.cancel.signal])
      : agg.stopping.signal,
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
    await keepTorrent(agg.home, session.meta.infoHash, torrentFromInfo(session.meta.infoBytes));
  agg.seeder.track(record, session);
}

/** After an HTTP fallback: the file must match the torrent's hashes; when it sits where the swarm puts it, seed it. */
export async function checkAgainstTorrent(agg: Aggregator, record: DownloadRecord): Promise<void> {
  const meta = agg.metas.get(record.id);
  agg.metas.delete(record.id);
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
  if (placedPath(meta, root, name) !== record.path || agg.state.settings.seedRatio <= 0) return;
  if (!existsSync(join(torrentsDir(agg.home), `${meta.infoHash}.torrent`)))
    await keepTorrent(agg.home, meta.infoHash, torrentFromInfo(meta.infoBytes));
  const session = await addPlaced(
    agg.options.engine,
    { meta },
    { root, name, timeoutSec: 0, readOnly: true },
  );
  agg.seeder.track(record, session);
  agg.emit({ type: 'seeding', record });
}
