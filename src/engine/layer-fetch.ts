/**
 * Getting a v2 torrent's missing piece layers from peers (BEP 52 `hash request` / `hashes` /
 * `hash reject`), for a v2-only torrent opened without them (a v2 magnet's metadata is `info` alone;
 * some `.torrent` files leave `piece layers` out). A v2 piece is checked against its hash in the
 * file's piece layer; a file of one piece or less is checked against its pieces root and needs none.
 *
 * Each file larger than a piece is asked for in runs of up to 512 piece hashes (the run's length
 * rounded up to a power of two, as libtorrent asks and answers), with uncle hashes up to the pieces
 * root, so every answer is checked on its own against the root (`verifyHashRun`). Verified runs are
 * usable at once (`pieceHash`); a file's whole layer goes to `meta.pieceLayers`, from where we also
 * answer other peers. Pieces that completed before their hashes were known wait, stored, and are
 * checked when the run arrives (`Downloader.hashesArrived`).
 *
 * Bounds and faults: at most `MAX_PER_PEER` requests outstanding per peer, each given up after
 * `TIMEOUT_MS`; a run a peer refused is asked of another peer (and of it again after
 * `RETRY_REJECTED_MS`). A peer that sends `hashes` we never asked for, or hashes that do not verify,
 * is dropped (`WIRE_PROTOCOL`).
 */

import { SeedcastError } from '../errors.js';
import { type FileTreeShape, fileTreeShape, verifyHashRun } from '../torrent/index.js';
import type { HashRequest } from '../wire/index.js';
import { isV2Peer } from './hash-answers.js';
import type { Peer } from './peer.js';
import type { TorrentView } from './session-view.js';

export const RUN = 512;
const MAX_PER_PEER = 2;
const TIMEOUT_MS = 20_000;
const RETRY_REJECTED_MS = 10_000;

interface Run {
  request: HashRequest;
  /** The run's verified piece hashes (real pieces only), once they arrived. */
  hashes?: Buffer;
  askedOf?: Peer | undefined;
  askedAt: number;
  rejectedBy: Map<Peer, number>;
}

interface FileFetch {
  rootHex: string;
  root: Uint8Array;
  shape: FileTreeShape;
  /** Index of the file's first piece in the torrent. */
  firstPiece: number;
  runs: Run[];
}

function keyOf(r: HashRequest): string {
  return `${Buffer.from(r.piecesRoot).toString('hex')}:${r.baseLayer}:${r.index}:${r.length}:${r.proofLayers}`;
}

export class LayerFetch {
  private readonly files = new Map<string, FileFetch>();
  /** Requests outstanding per peer, by key (a late answer after a time-out is still accepted). */
  private readonly asked = new Map<Peer, Map<string, Run>>();

  /** `hashesArrived`: verified piece hashes came for these pieces (the download part checks them). */
  constructor(
    private readonly torrent: Pick<TorrentView, 'meta' | 'infoHashV2' | 'peers' | 'log'>,
    private readonly hashesArrived: (pieces: number[]) => Promise<void>,
  ) {}

  /** True while some file's layer is still missing. */
  get active(): boolean {
    return this.files.size > 0;
  }

  /** The metadata is known: plan the runs of every v2 file without a layer. */
  start(): void {
    const meta = this.torrent.meta;
    if (meta?.version !== 'v2') return;
    for (const file of meta.files) {
      if (!file.piecesRoot || file.length <= meta.pieceLength) continue;
      const rootHex = Buffer.from(file.piecesRoot).toString('hex');
      if (meta.pieceLayers.has(rootHex) || this.files.has(rootHex)) continue;
      const shape = fileTreeShape(file.length, meta.pieceLength);
      const runs: Run[] = [];
      for (let index = 0; index < shape.pieces; index += RUN) {
        let length = 2;
        while (length < Math.min(RUN, shape.pieces - index)) length *= 2;
        const request = {
          piecesRoot: file.piecesRoot,
          baseLayer: shape.pieceLevel,
          index,
          length,
          proofLayers: shape.height - shape.pieceLevel - 1,
        };
        runs.push({ request, askedAt: 0, rejectedBy: new Map() });
      }
      this.files.set(rootHex, {
        rootHex,
        root: file.piecesRoot,
        shape,
        firstPiece: file.offset / meta.pieceLength,
        runs,
      });
    }
  }

  /** The verified hash of piece `pieceInFile` of the file with root `rootHex`, once its run arrived. */
  pieceHash(rootHex: string, pieceInFile: number): Buffer | undefined {
    const run = this.files.get(rootHex)?.runs[Math.floor(pieceInFile / RUN)];
    const at = (pieceInFile % RUN) * 32;
    return run?.hashes?.subarray(at, at + 32);
  }

  /** Send requests to the peers that can answer them (called each second and when peers announce). */
  pump(now = Date.now()): void {
    if (this.files.size === 0) return;
    const s = this.torrent;
    for (const file of this.files.values()) {
      for (const run of file.runs) {
        if (run.hashes) continue;
        if (run.askedOf && now - run.askedAt < TIMEOUT_MS) continue;
        run.askedOf = undefined;
        for (const peer of s.peers.values()) {
          if (this.ask(peer, file, run, now)) break;
        }
      }
    }
  }

  private ask(peer: Peer, file: FileFetch, run: Run, now: number): boolean {
    if (!peer.conn.open || !peer.has || !isV2Peer(this.torrent, peer)) return false;
    const refused = run.rejectedBy.get(peer);
    if (refused !== undefined && now - refused < RETRY_REJECTED_MS) return false;
    let asked = this.asked.get(peer);
    if ((asked?.size ?? 0) >= MAX_PER_PEER) return false;
    const { index } = run.request;
    let hasAny = false;
    const end = Math.min(index + RUN, file.shape.pieces);
    for (let p = index; p < end && !hasAny; p++) hasAny = peer.has.has(file.firstPiece + p);
    if (!hasAny) return false;
    if (!asked) {
      asked = new Map();
      this.asked.set(peer, asked);
    }
    asked.set(keyOf(run.request), run);
    run.askedOf = peer;
    run.askedAt = now;
    peer.conn.send({ type: 'hashRequest', ...run.request });
    return true;
  }

  /** A peer's `hashes`: verify, keep, and let the pieces waiting for them be checked. */
  onHashes(peer: Peer, message: HashRequest & { hashes: Uint8Array; uncles: Uint8Array }): void {
    const key = keyOf(message);
    const run = this.asked.get(peer)?.get(key);
    if (!run) {
      const rootHex = Buffer.from(message.piecesRoot).toString('hex');
      const late =
        !this.files.has(rootHex) || this.wasAnswered(key) || this.torrent.meta?.pieceLayers.has(rootHex);
      if (late) return; // someone else answered first, the layer is complete, or not one we fetch
      throw new SeedcastError('WIRE_PROTOCOL', 'hashes never asked for');
    }
    this.asked.get(peer)!.delete(key);
    const file = this.files.get(Buffer.from(message.piecesRoot).toString('hex'));
    if (!file || run.hashes) return;
    if (!verifyHashRun(file.root, file.shape, message)) {
      throw new SeedcastError('WIRE_PROTOCOL', 'hashes that do not verify against the pieces root');
    }
    const real = Math.min(message.length, file.shape.pieces - message.index);
    run.hashes = Buffer.from(message.hashes.subarray(0, real * 32));
    run.askedOf = undefined;
    for (const asked of this.asked.values()) asked.delete(key); // late answers from others: ignored
    const pieces: number[] = [];
    for (let p = 0; p < real; p++) pieces.push(file.firstPiece + message.index + p);
    if (file.runs.every((r) => r.hashes)) {
      this.torrent.meta!.pieceLayers.set(file.rootHex, Buffer.concat(file.runs.map((r) => r.hashes!)));
      this.files.delete(file.rootHex);
      this.torrent.log(`piece layer of ${file.rootHex.slice(0, 12)}… complete (${file.shape.pieces} hashes)`);
    }
    void this.hashesArrived(pieces);
    this.pump();
  }

  /** A peer's `hash reject`: ask someone else. */
  onReject(peer: Peer, message: HashRequest): void {
    const key = keyOf(message);
    const run = this.asked.get(peer)?.get(key);
    if (!run) return;
    this.asked.get(peer)!.delete(key);
    run.rejectedBy.set(peer, Date.now());
    if (run.askedOf === peer) run.askedOf = undefined;
    this.pump();
  }

  /** A peer left: its requests go to others. */
  peerClosed(peer: Peer): void {
    const asked = this.asked.get(peer);
    this.asked.delete(peer);
    for (const run of asked?.values() ?? []) if (run.askedOf === peer) run.askedOf = undefined;
    for (const file of this.files.values()) for (const run of file.runs) run.rejectedBy.delete(peer);
  }

  private wasAnswered(key: string): boolean {
    for (const file of this.files.values()) {
      for (const run of file.runs) if (run.hashes && keyOf(run.request) === key) return true;
    }
    return false;
  }
}
