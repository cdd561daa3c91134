/**
 * The media jobs (issue 18), run by any worker of the job queue (`seedcast serve`'s, or
 * `seedcast worker` on another machine: everything goes through the database and the blob store).
 *
 * - `media.analyze` (payload `{}`): the media analyzer's work on the item (`media-analyzer.ts`:
 *   ffprobe facts, thumbnail), the SHA-384 of every original file (`item_files.integrity`), then the
 *   derivatives plan: when there is one, `media.derive` is queued with it; otherwise the item's
 *   processing is done.
 * - `media.derive` (payload `{ plan, position }`): `processing-derive.ts` makes each planned derivative,
 *   stores it, and builds the item's derivatives torrent.
 *
 * The item's processing state follows: running (with progress) while a job runs, queued between
 * jobs and before a retry, done, or failed with the last attempt's error once attempts run out.
 * A cancelled job (its item deleted or taken down) or a stopping worker leaves no state behind.
 */

import type { DerivativeRepository, ItemRepository, SiteLinks } from '../catalog/index.js';
import type { JobContext, JobHandlers, JobQueue } from '../jobs/index.js';
import type { BlobStore } from '../storage/index.js';
import type { TorrentFormat } from '../torrent/index.js';
import type { DerivativePlan } from './derivative-plan.js';
import { MediaAnalyzer, mainMediaFile } from './media-analyzer.js';
import { deriveItem, parsePlan } from './processing-derive.js';
import { localBlob, sha384Of } from './processing-files.js';
import { type DerivativeMaker, defaultMaker, type MakerOptions } from './processing-maker.js';

export interface MediaJobDeps {
  items: ItemRepository;
  blobs: BlobStore;
  queue: JobQueue;
  /** Folder for temporary files (copies of remote blobs, derivatives being made). */
  tmpRoot: string;
  links: SiteLinks;
  log?: (message: string) => void;
  /** Derivatives and items' processing state (required to run the jobs). */
  derivatives?: DerivativeRepository;
  /** Format of derivatives torrents (the site's; default v1). */
  torrentFormat?: TorrentFormat;
  /** Plans and makes derivatives (default: ffmpeg through `derivatives.ts`); tests and benches swap it. */
  maker?: DerivativeMaker;
  /** Told when an item's derivatives torrent is stored (the site's process starts seeding it at once). */
  onDerivatives?: (itemId: number) => void | Promise<void>;
  /** ffprobe/ffmpeg/pdftoppm commands, limits, plan options. */
  tools?: MakerOptions;
}

/** How often a job's progress is written to the item at most. */
const PROGRESS_EVERY_MS = 1000;

export function mediaJobHandlers(deps: MediaJobDeps): JobHandlers {
  return {
    'media.analyze': (ctx) => tracked(deps, ctx, (progress) => analyze(deps, ctx, progress)),
    'media.derive': (ctx) =>
      tracked(deps, ctx, async (progress) => {
        const plan = parsePlan(ctx.job.payload.plan);
        const position = Number(ctx.job.payload.position ?? 0);
        await deriveItem(
          ctx.job.itemId!,
          { plan, position },
          { ...deps, maker: deps.maker ?? defaultMaker(deps.tools), signal: ctx.signal, progress },
        );
      }),
  };
}

function repository(deps: MediaJobDeps): DerivativeRepository {
  if (!deps.derivatives) throw new Error('media jobs: no derivatives repository wired');
  return deps.derivatives;
}

/**
 * Runs a job's work with the item's processing state kept: running with progress, then whatever
 * the work decided (it sets done or queued), or, when it throws, queued again (a retry follows) or
 * failed with the error (the last attempt). Cancellation (aborted signal) records nothing.
 */
async function tracked(
  deps: MediaJobDeps,
  ctx: JobContext,
  work: (progress: (fraction: number) => void) => Promise<void>,
): Promise<void> {
  const itemId = ctx.job.itemId;
  if (itemId === null) throw new Error(`${ctx.job.kind}: the job names no item`);
  const derivatives = repository(deps);
  // Deleted or taken down meanwhile: nothing to do, and no state to show.
  if ((await deps.items.get(itemId))?.status !== 'ready') return;
  await derivatives.setProcessing(itemId, 'running', { progress: 0 });
  let last = 0;
  const progress = (fraction: number) => {
    ctx.progress(fraction);
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    void derivatives.setProgress(itemId, fraction).catch(() => undefined);
  };
  try {
    await work(progress);
  } catch (err) {
    if (ctx.signal.aborted) {
      // Cancelled (the item is going) or the worker stops (the job goes back to the queue).
      await derivatives.setProcessing(itemId, 'queued').catch(() => undefined);
      throw err;
    }
    const message = (err as Error).message ?? String(err);
    const last = ctx.job.attempts >= ctx.job.maxAttempts;
    await derivatives
      .setProcessing(itemId, last ? 'failed' : 'queued', { error: message })
      .catch(() => undefined);
    ctx.log(`${ctx.job.kind} of item ${itemId} failed (attempt ${ctx.job.attempts}): ${message}`);
    throw err;
  }
}

async function analyze(
  deps: MediaJobDeps,
  ctx: JobContext,
  progress: (fraction: number) => void,
): Promise<void> {
  const itemId = ctx.job.itemId!;
  const derivatives = repository(deps);
  const before = await deps.items.get(itemId);
  if (before?.status !== 'ready') return; // deleted, taken down or still publishing: nothing to do
  if (before.files.some((f) => f.blobKey === null)) {
    // A torrent-only item not yet archived: the archiver queues it again once it holds the files.
    await derivatives.resetProcessing(itemId);
    return;
  }
  // The analyzer's own work (facts, thumbnail), stopped with the job.
  const analyzer = new MediaAnalyzer({
    items: deps.items,
    blobs: deps.blobs,
    tmpRoot: deps.tmpRoot,
    ...deps.tools,
    log: (m) => ctx.log(m),
  });
  const stop = () => void analyzer.close();
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    const outcome = await analyzer.analyze(itemId);
    ctx.signal.throwIfAborted();
    if (outcome === 'failed') throw new Error('media analysis failed (see the log for the reason)');
    if (outcome === 'tool-missing') {
      await derivatives.setProcessing(itemId, 'done');
      return;
    }
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
  progress(0.3);
  const item = await deps.items.get(itemId);
  if (item?.status !== 'ready') return;
  // The originals' SHA-384 (Subresource Integrity form) for feeds' podcast:integrity.
  for (const file of item.files) {
    if (!file.blobKey || file.integrity) continue;
    const sri = await sha384Of(await deps.blobs.get(file.blobKey));
    ctx.signal.throwIfAborted();
    await derivatives.setFileIntegrity(itemId, file.position, sri);
  }
  progress(0.6);
  // The file that stands for the item: its main media file, else its largest PDF.
  const main =
    mainMediaFile(item) ??
    item.files.filter((f) => f.blobKey && /\.pdf$/i.test(f.path)).sort((a, b) => b.length - a.length)[0];
  const maker = deps.maker ?? defaultMaker(deps.tools);
  let plan: DerivativePlan[] = [];
  if (main?.blobKey) {
    const input = await localBlob(deps.blobs, main.blobKey, { tmpRoot: deps.tmpRoot, signal: ctx.signal });
    try {
      plan = await maker.plan(input.path, main.path, { signal: ctx.signal });
    } finally {
      await input.cleanup();
    }
  }
  ctx.signal.throwIfAborted();
  if (plan.length === 0 || !main) {
    await derivatives.setProcessing(itemId, 'done');
    return;
  }
  await derivatives.setProcessing(itemId, 'queued');
  await deps.queue.enqueue({ kind: 'media.derive', itemId, payload: { plan, position: main.position } });
}
