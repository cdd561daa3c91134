/**
 * `media.derive`'s work on one item: each planned derivative is made into a temporary file (under
 * the jobs' folder), its SHA-384 taken, stored as the blob `items/<id>/derivatives/<file>` and
 * recorded; a retry skips the ones already stored. Progress runs across the rungs. Then the item's
 * derivatives torrent is made of every derivative (`processing-torrent.ts`), stored as
 * `items/<id>/derivatives.torrent` and recorded, and the site is told so it seeds it. An item deleted
 * meanwhile leaves nothing behind: what this job stored is removed again.
 */

import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DerivativeRepository, ItemRepository, SiteLinks } from '../catalog/index.js';
import { type BlobStore, blobKey } from '../storage/index.js';
import type { TorrentFormat } from '../torrent/index.js';
import type { DerivativePlan } from './derivative-plan.js';
import { jobFolder, localBlob, putHashed } from './processing-files.js';
import type { DerivativeMaker } from './processing-maker.js';
import { makeDerivativesTorrent } from './processing-torrent.js';
import type { DerivativeKind } from './view.js';

const KINDS: readonly DerivativeKind[] = [
  'video',
  'audio',
  'image',
  'poster',
  'storyboard',
  'waveform',
  'page',
];
const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The plan carried in a `media.derive` job, checked (it is data from the queue). */
export function parsePlan(value: unknown): DerivativePlan[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 32)
    throw new Error('media.derive: the job carries no plan');
  const seen = new Set<string>();
  return value.map((r: Partial<DerivativePlan>) => {
    if (!r || typeof r !== 'object' || !KINDS.includes(r.kind as DerivativeKind))
      throw new Error('media.derive: a rung of unknown kind');
    if (typeof r.fileName !== 'string' || !FILE.test(r.fileName) || seen.has(r.fileName))
      throw new Error('media.derive: a rung with a bad file name');
    if (typeof r.label !== 'string' || typeof r.mime !== 'string')
      throw new Error('media.derive: a rung without label or type');
    seen.add(r.fileName);
    return r as DerivativePlan;
  });
}

/** The blob key of an item's derivative file. */
export function derivativeKey(itemId: number, file: string): string {
  return blobKey('items', itemId, 'derivatives', file);
}

/** The blob key of an item's derivatives torrent. */
export function derivativesTorrentKey(itemId: number): string {
  return blobKey('items', itemId, 'derivatives.torrent');
}

export interface DeriveDeps {
  items: ItemRepository;
  blobs: BlobStore;
  derivatives?: DerivativeRepository;
  tmpRoot: string;
  links: SiteLinks;
  maker: DerivativeMaker;
  torrentFormat?: TorrentFormat;
  onDerivatives?: (itemId: number) => void | Promise<void>;
  signal: AbortSignal;
  progress(fraction: number): void;
  log?: (message: string) => void;
}

/** Makes, stores and records the planned derivatives of item `itemId`, then its derivatives torrent. */
export async function deriveItem(
  itemId: number,
  job: { plan: DerivativePlan[]; position: number },
  deps: DeriveDeps,
): Promise<void> {
  const { items, blobs, signal } = deps;
  const derivatives = deps.derivatives!;
  const item = await items.get(itemId);
  if (item?.status !== 'ready') return;
  const original = item.files.find((f) => f.position === job.position);
  if (!original?.blobKey) throw new Error(`item ${itemId} has no stored file at position ${job.position}`);
  const stored = new Set(
    (await derivatives.list(itemId))
      .filter((d) => job.plan.some((r) => r.fileName === d.path))
      .map((d) => d.path),
  );
  const folder = await jobFolder(deps.tmpRoot);
  const made: string[] = [];
  const gone = async () => {
    // The item went (deleted, taken down) while we worked: remove what is left of its derivatives.
    const left = await derivatives.clear(itemId).catch(() => [] as string[]);
    await Promise.allSettled([...new Set([...made, ...left])].map((key) => blobs.delete(key)));
  };
  try {
    const dir = join(folder.path, 'derivatives');
    await mkdir(dir);
    const present = new Set<string>();
    const input = await localBlob(blobs, original.blobKey, { tmpRoot: folder.path, signal });
    try {
      const n = job.plan.length;
      for (const [i, rung] of job.plan.entries()) {
        signal.throwIfAborted();
        const key = derivativeKey(itemId, rung.fileName);
        if (stored.has(rung.fileName) && (await blobs.head(key))) {
          deps.progress((0.95 * (i + 1)) / n);
          continue; // made by an earlier attempt
        }
        const output = join(dir, rung.fileName);
        const facts = await deps.maker.make(rung, input.path, output, {
          signal,
          onProgress: (f) => deps.progress((0.95 * (i + Math.min(1, Math.max(0, f)))) / n),
        });
        signal.throwIfAborted();
        const { size } = await stat(output);
        made.push(key);
        const integrity = await putHashed(blobs, key, { path: output, size, contentType: rung.mime });
        present.add(rung.fileName);
        const recorded = await derivatives.add({
          itemId,
          kind: rung.kind,
          label: rung.label,
          path: rung.fileName,
          mime: rung.mime,
          width: facts.width ?? rung.width ?? null,
          height: facts.height ?? rung.height ?? null,
          bitrate: facts.bitrate ?? rung.bitrate ?? null,
          durationMs: facts.durationMs ?? (rung.seconds ? Math.round(rung.seconds * 1000) : null),
          length: size,
          blobKey: key,
          integrity,
        });
        if (!recorded) return await gone();
        deps.progress((0.95 * (i + 1)) / n);
      }
    } finally {
      await input.cleanup();
    }
    signal.throwIfAborted();
    const rows = await derivatives.list(itemId);
    if (rows.length === 0) return;
    const created = await makeDerivativesTorrent(rows, dir, {
      blobs,
      links: deps.links,
      itemId,
      present,
      signal,
      ...(deps.torrentFormat ? { format: deps.torrentFormat } : {}),
    });
    signal.throwIfAborted();
    const torrentKey = derivativesTorrentKey(itemId);
    made.push(torrentKey);
    await blobs.put(torrentKey, created.torrent, { contentType: 'application/x-bittorrent' });
    const ok = await derivatives.setTorrent(itemId, {
      infoHash: created.infoHash ?? null,
      infoHashV2: created.infoHashV2 ?? null,
      torrentKey,
    });
    if (!ok || (await items.get(itemId))?.status !== 'ready') return await gone();
    try {
      await deps.onDerivatives?.(itemId); // seeded before the item says done
    } catch (err) {
      deps.log?.(`item ${itemId}: cannot seed its derivatives yet: ${(err as Error).message}`);
    }
    deps.progress(1);
    await derivatives.setProcessing(itemId, 'done');
  } catch (err) {
    if (signal.aborted && (await items.get(itemId))?.status !== 'ready') await gone();
    throw err;
  } finally {
    await folder.cleanup();
  }
}
