/**
 * Trusted start ("seed mode", as libtorrent's `seed_mode` flag): a session whose content was hashed
 * when it was stored (the site's publish, its fixity checks) starts as a full seed without reading a
 * byte of content, instead of rechecking every piece (BEP 3 piece hashes). Pieces named `damaged`
 * (what the last fixity pass found) start missing.
 *
 * Trust is checked lazily, as libtorrent does in seed mode: the first time a peer asks for a block
 * of a piece, the whole piece is read and hashed (`PieceVerifier.verifyStored`) before anything of
 * it is sent. A piece that fails its hash, or whose read fails for good (a missing blob, EIO), is
 * dropped from `have`, reported as damaged (`TorrentSession.damaged()`, the `damaged` event, a log
 * line) and refused to peers (BEP 6 `reject`), while the other pieces are still served; the
 * session does not fail. A transient read error (an object store briefly away) refuses the block
 * this time and checks the piece again on the next request. The set of verified pieces is a bitfield
 * allocated on the first request (nothing per piece while idle).
 */

import { Bitfield } from './bitfield.js';
import { describeError, isTransient, summarize } from './fault.js';
import type { HashAnswers } from './hash-answers.js';
import type { Scheduler } from './scheduler.js';
import type { TorrentView } from './session-view.js';

/** How a session starts (`SessionOptions`): trust or recheck, the engine's scheduler, announces. */
export interface StartOptions {
  /** Start as a seed of what is stored without reading it (pieces are checked when first served). */
  trustStored?: boolean;
  /** With `trustStored`: pieces known damaged (a fixity pass), which start missing. */
  damaged?: readonly number[];
  /** The engine's scheduler (`scheduler.ts`); absent: a timer of the session's own. */
  scheduler?: Scheduler;
  /** Trackers never announced to (the caller registers the swarm there in process: the site's own). */
  inProcessTrackers?: (url: string) => boolean;
  /** Send the first announce (and DHT announce) at a random time within this many ms (default: at once). */
  announceSpreadMs?: number;
}

/**
 * What is already stored, into `have`: trusted (every piece but `damaged`, nothing read) or
 * rechecked (every piece read and hashed: resume after an interruption, kill -9 included). A
 * seed-only session reports the pieces it lacks as damaged.
 */
/** What recording damage touches of a session: its list of damaged pieces, and its `damaged` event. */
export interface DamageHost extends Pick<TorrentView, 'infoHash' | 'have' | 'log'> {
  /** The damaged pieces, in order (this module keeps the order). */
  readonly damagedPieces: number[];
  /** Tell listeners (the `damaged` event) the list changed. */
  damagedChanged(): void;
}

/** What the start-up check reads and sets of a session (`TorrentSession` is one). */
export interface StartHost extends TorrentView, DamageHost {
  readonly options: Pick<StartOptions, 'trustStored' | 'damaged'>;
  readonly hashAnswers: Pick<HashAnswers, 'layersFromStore'>;
  /** Set when pieces were already stored before start (checked when their v2 hashes come). */
  readonly downloader: { storedBeforeStart: boolean };
}

export async function checkStored(s: StartHost): Promise<void> {
  const { store, map, verifier, have } = s;
  if (!store || !map || !verifier || !have) return;
  if (s.options.trustStored) {
    for (let i = 0; i < have.length; i++) have.set(i);
    for (const i of s.options.damaged ?? []) have.clear(i);
  } else if (!store.isEmpty || !(await store.isEmpty())) {
    await s.hashAnswers.layersFromStore(); // v2 without `piece layers`: from the files, if whole
    s.downloader.storedBeforeStart = true; // pieces not checkable yet are checked when their hashes come
    for (let i = 0; i < map.pieceCount; i++) {
      if (!s.running) return;
      if (await verifier.verifyStored(i, store)) have.set(i);
    }
  }
  if (s.seedOnly && !have.complete) {
    const missing: number[] = [];
    for (let i = 0; i < have.length; i++) if (!have.has(i)) missing.push(i);
    markDamaged(s, missing);
  }
}

/** Record `pieces` of a seed-only session as damaged: kept in order, logged, `damaged` emitted. */
export function markDamaged(s: DamageHost, pieces: readonly number[]): void {
  const list = s.damagedPieces;
  for (const i of pieces) if (!list.includes(i)) list.push(i);
  list.sort((a, b) => a - b);
  s.log(
    `torrent ${s.infoHash.toString('hex')}: ${list.length} of ${s.have?.length ?? 0} pieces damaged in the read-only store (serving the rest): ${summarize(list)}`,
  );
  s.damagedChanged();
}

export class TrustedPieces {
  /** Pieces hashed since start (allocated on the first check). */
  private verified: Bitfield | undefined;
  private readonly checking = new Map<number, Promise<boolean>>();

  /**
   * `trusted`: the session's `trustStored` option, read when asked; `damaged`: a piece had failed
   * its check (the session takes it out of `have` and reports it).
   */
  constructor(
    private readonly torrent: Pick<TorrentView, 'have' | 'store' | 'verifier' | 'infoHash' | 'log'>,
    private readonly trusted: () => boolean,
    private readonly damaged: (index: number) => void,
  ) {}

  /** True when the session started on trust (pieces are checked when first served). */
  get on(): boolean {
    return this.trusted();
  }

  /** Pieces checked so far (for tests and stats). */
  get checkedCount(): number {
    return this.verified?.count ?? 0;
  }

  /**
   * May piece `index` be served? At once for a checked piece (or without trust); else the piece is
   * read and hashed first. Never rejects.
   */
  servable(index: number): boolean | Promise<boolean> {
    const s = this.torrent;
    if (!this.on) return true;
    if (!s.have?.has(index)) return false;
    if (this.verified?.has(index)) return true;
    let pending = this.checking.get(index);
    if (!pending) {
      pending = this.check(index).finally(() => this.checking.delete(index));
      this.checking.set(index, pending);
    }
    return pending;
  }

  private async check(index: number): Promise<boolean> {
    const s = this.torrent;
    const { store, verifier, have } = s;
    if (!store || !verifier || !have) return false;
    let ok: boolean;
    try {
      ok = await verifier.verifyStored(index, store);
    } catch (err) {
      if (isTransient(err)) {
        s.log(`torrent ${s.infoHash.toString('hex')}: piece ${index} not served now: ${describeError(err)}`);
        return false;
      }
      s.log(`torrent ${s.infoHash.toString('hex')}: piece ${index} unreadable: ${describeError(err)}`);
      ok = false;
    }
    if (ok) {
      this.verified ??= new Bitfield(have.length);
      this.verified.set(index);
      return true;
    }
    if (have.has(index)) this.damaged(index);
    return false;
  }
}
