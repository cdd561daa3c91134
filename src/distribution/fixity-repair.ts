/**
 * Repairing an item's damaged pieces from the swarm (issue 22, slice 3): the item's seeding session
 * (BEP 3) fetches only those pieces from other peers, verified by hash, into a `RepairStore` over
 * its blobs (`storage/piece-writer.ts`), while it keeps serving every intact piece; once all are
 * whole the store writes them back into the blob store (a positional write on local disk, a new put
 * of the patched object on S3) and the session seeds from its blobs again (`engine/session-repair.ts`).
 */

import type { Item } from '../catalog/index.js';
import { repairPieces, type TorrentSession } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { BlobPieceStore, type BlobStore, RepairStore } from '../storage/index.js';

export interface RepairItemOptions {
  /** Stops the repair (the pieces stay damaged). */
  signal?: AbortSignal;
  /** Where a rewrite of an object (S3) is spooled (default the system's temporary folder). */
  tmpRoot?: string;
  log?: (message: string) => void;
  /**
   * These pieces make the files whole (default true): a rewritten object (S3) is checked against its
   * recorded SHA-256. False for all but the last batch of a repair.
   */
  whole?: boolean;
}

/** Fetches `pieces` of the item seeded by `session` from peers and writes them back into `blobs`. */
export async function repairItem(
  session: TorrentSession,
  item: Item,
  blobs: BlobStore,
  pieces: readonly number[],
  options: RepairItemOptions = {},
): Promise<number[]> {
  const meta = session.meta;
  if (!meta) throw new SeedcastError('FIXITY_REPAIR', `item ${item.id}: no metadata`);
  const keys = item.files.map((f) => f.blobKey ?? undefined);
  const store = new RepairStore(meta, new BlobPieceStore(meta, blobs, { keys }), blobs, pieces, {
    keys,
    ...(options.whole === false ? {} : { sha256: item.files.map((f) => f.sha256) }),
    ...(options.tmpRoot ? { tmpRoot: options.tmpRoot } : {}),
  });
  return repairPieces(session, store, pieces, {
    ...(options.signal ? { signal: options.signal } : {}),
    commit: async () => {
      for (const w of await store.commit())
        options.log?.(`item ${item.id}: ${w.bytes} repaired bytes written back to ${w.key} (${w.how})`);
    },
  });
}
