/**
 * Repairing a seed-only session's damaged pieces from the swarm (issue 22, fixity; BEP 3 transfer,
 * BEP 6 rejects). A seeding session over read-only storage (the site's blobs) never downloads; when
 * a fixity pass finds pieces that no longer match their hash, `repairPieces` turns the session into
 * a leecher for those pieces only, for as long as the repair takes:
 *
 * - the session's store becomes the caller's writable store (reads of every other piece go through
 *   to the original; the damaged pieces' bytes are written there), and the damaged pieces leave
 *   `have`: requests for them are refused (BEP 6 `reject`) while every other piece is still served;
 * - the picker picks pieces it does not hold: for the repair it holds a view where every piece but
 *   these is held, so peers are asked for exactly these (other damaged pieces wait for their own
 *   repair), and a piece that passes its hash goes back into `have`;
 * - peers already connected are told we are interested, and the session announces with `left` > 0
 *   so trackers hand it peers (seeds included) to fetch them from;
 * - each piece is verified against its hash as it completes (`session-download.ts`: a bad copy is
 *   fetched again and held against the peers that sent it);
 * - once every piece is whole, `commit` writes them back (the caller's: into the blob store), then
 *   the session returns to its own store and announces itself a seed again.
 *
 * A failure (the session stops, the signal aborts, `commit` throws) puts the original store back and
 * leaves the pieces out of `have` (still damaged, never served).
 */

import type { EventEmitter } from 'node:events';
import { SeedcastError } from '../errors.js';
import { Bitfield } from './bitfield.js';
import { describeError, type Failable, guardedStore } from './fault.js';
import type { PieceStore } from './file-store.js';
import { PiecePicker } from './picker.js';
import type { Downloader } from './session-download.js';
import type { SwarmFinder } from './session-swarm.js';
import type { Uploader } from './session-upload.js';
import type { TorrentView } from './session-view.js';

/**
 * What a repair changes of a session (`TorrentSession` is one): a repair is the session switching
 * modes for a while, so it sets the session's store and picker, and drives its parts through the
 * few calls below; it listens to `piece` (verified) and `failed`.
 */
export interface RepairHost
  extends TorrentView,
    Failable,
    Pick<EventEmitter, 'on' | 'off' | 'prependListener' | 'emit'> {
  store: PieceStore | undefined;
  /** The picker in use (the repair's while it runs), and the one the session keeps. */
  readonly picker: PiecePicker | undefined;
  pickerState: PiecePicker | undefined;
  damagedPieces: number[];
  readonly uploader: Pick<Uploader, 'clearCache'>;
  readonly downloader: Pick<Downloader, 'updateInterest' | 'releaseAll' | 'clear'>;
  readonly swarm: Pick<SwarmFinder, 'announce'>;
  connectMore(): void;
}

export interface RepairOptions {
  /** Called once every piece is whole in the repair store, before the session leaves it (write back). */
  commit?: () => Promise<void>;
  /** Stops the repair (the pieces stay damaged). */
  signal?: AbortSignal;
}

/** Sessions being repaired (one repair at a time per session). */
const repairing = new WeakSet<object>();

/** True while `session` fetches damaged pieces (see `repairPieces`). */
export function isRepairing(session: object): boolean {
  return repairing.has(session);
}

/** Fetches `pieces` again from peers into `store`, serving the others meanwhile; resolves with them. */
export async function repairPieces(
  session: RepairHost,
  store: PieceStore,
  pieces: readonly number[],
  options: RepairOptions = {},
): Promise<number[]> {
  const { have, picker, meta } = session;
  const original = session.store;
  if (!have || !picker || !meta || !original || !session.running)
    throw new SeedcastError('FIXITY_REPAIR', 'the torrent is not being seeded');
  if (store.readOnly) throw new SeedcastError('FIXITY_REPAIR', 'the repair store is read-only');
  if (repairing.has(session)) throw new SeedcastError('FIXITY_REPAIR', 'a repair is already under way');
  const wanted = [...new Set(pieces)].filter((i) => Number.isInteger(i) && i >= 0 && i < meta.pieceCount);
  if (wanted.length === 0) return [];
  repairing.add(session);
  session.store = guardedStore(store, session);
  const view = new Bitfield(meta.pieceCount);
  for (let i = 0; i < meta.pieceCount; i++) view.set(i);
  for (const i of wanted) {
    have.clear(i);
    view.clear(i);
  }
  session.pickerState = pickerOver(session, view);
  // A piece the repair's picker verified is had again (before the session checks whether it is complete).
  const verified = (index: number) => {
    if (wanted.includes(index)) have.set(index);
  };
  session.prependListener('piece', verified);
  session.uploader.clearCache(); // windows read before the damage was known
  const hex = session.infoHash.toString('hex');
  session.log(`torrent ${hex}: repairing ${wanted.length} piece(s) from the swarm`);
  let whole = false;
  try {
    for (const peer of session.peers.values()) session.downloader.updateInterest(peer);
    announce(session);
    session.connectMore();
    await whenWhole(session, wanted, options.signal);
    whole = true;
    await options.commit?.();
    session.damagedPieces = session.damagedPieces.filter((i) => !wanted.includes(i));
    return wanted;
  } catch (err) {
    session.log(`torrent ${hex}: repair stopped: ${describeError(err)}`);
    if (whole) for (const i of wanted) have.clear(i); // not written back: still damaged
    throw err;
  } finally {
    session.off('piece', verified);
    leave(session, original);
    repairing.delete(session);
  }
}

/** A picker whose held pieces are `held`, knowing what the connected peers have. */
function pickerOver(session: RepairHost, held: Bitfield): PiecePicker {
  const map = session.map!;
  const picker = new PiecePicker({ pieceCount: held.length, pieceSize: (i) => map.piece(i).length }, held);
  for (const peer of session.peers.values()) if (peer.has) picker.addAvailability(peer.has);
  return picker;
}

/** Resolves once every piece is in `have`; rejects when the session stops or `signal` aborts. */
function whenWhole(session: RepairHost, pieces: number[], signal?: AbortSignal): Promise<void> {
  const missing = new Set(pieces.filter((i) => !session.have!.has(i)));
  if (missing.size === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!session.running) finish(new SeedcastError('FIXITY_REPAIR', 'the torrent stopped'));
    }, 1000);
    timer.unref();
    const onPiece = (index: number) => {
      missing.delete(index);
      if (missing.size === 0) finish();
    };
    const onFailed = (reason: Error) => finish(reason);
    const onAbort = () => finish(new SeedcastError('FIXITY_ABORTED', 'the repair was stopped'));
    const finish = (err?: Error) => {
      clearInterval(timer);
      session.off('piece', onPiece);
      session.off('failed', onFailed);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    session.on('piece', onPiece);
    session.on('failed', onFailed);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Back to the session's own store: nothing more is asked for, late blocks are not written. */
function leave(session: RepairHost, original: PieceStore): void {
  for (const peer of session.peers.values()) session.downloader.releaseAll(peer);
  session.downloader.clear();
  session.pickerState = undefined; // the session's own picker over `have`, made again on demand
  session.store = original;
  session.uploader.clearCache();
  for (const peer of session.peers.values()) session.downloader.updateInterest(peer);
  if (session.running) announce(session);
}

function announce(session: RepairHost): void {
  session.swarm
    .announce(undefined)
    .catch((err: unknown) => session.emit('warning', `announce: ${describeError(err)}`));
}
