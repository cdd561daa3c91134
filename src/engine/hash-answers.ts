/**
 * Answering BEP 52 `hash request`s as a seeder (or a partial seed): a v2 peer that has no `piece
 * layers` (it opened a v2 magnet) asks for runs of a file's piece layer with their uncle hashes up to
 * the file's pieces root, and can then check each piece as it arrives. libtorrent 2.0 asks for runs
 * of up to 512 piece hashes from the piece layer, and, after a piece fails, for the block hashes of
 * that piece.
 *
 * Where the hashes come from: the torrent's own `piece layers` (`meta.pieceLayers`), or, when they
 * were not in it (a magnet, a torrent without them, a hybrid checked by its SHA-1 hashes), the stored
 * data of a file we have whole: its piece layer is hashed from the store once (a piece at a time, at
 * most `READ_CHUNK` bytes read at once), checked against the pieces root, and kept in
 * `meta.pieceLayers`. Anything else is refused with `hash reject`: a run below the piece layer, a run
 * that does not fit the file's tree (libtorrent's `validate_hash_request` bounds), a file we do not
 * have whole, a connection that is not a v2 one (BEP 52: only peers that agreed on the v2 info hash).
 *
 * Bounds: at most `MAX_TREES` trees (2 x layer hashes each) are cached; one layer is hashed from the
 * store at a time per torrent, and each peer may wait for at most `MAX_WAITING` answers; a peer whose
 * socket buffer is full (it asks faster than it reads) is refused.
 */

import { createHash } from 'node:crypto';
import {
  fileTreeShape,
  LayerTree,
  layerRoot,
  merkleRoot,
  type TorrentFile,
  validRun,
} from '../torrent/index.js';
import type { HashRequest } from '../wire/index.js';
import { describeError, ownerOf } from './fault.js';
import type { Peer } from './peer.js';
import type { TorrentSession } from './session.js';
import { READ_CHUNK } from './verify.js';

const BLOCK = 16 * 1024;
const MAX_TREES = 8;
const MAX_WAITING = 4;

/**
 * Whether `peer` speaks BEP 52 with us: its handshake named the torrent's (truncated) v2 info hash,
 * as every peer of a v2-only torrent does. Only such peers exchange hash messages.
 */
export function isV2Peer(session: TorrentSession, peer: Peer): boolean {
  const hex = session.meta?.infoHashV2;
  const v2 = session.infoHashV2 ?? (hex ? Buffer.from(hex, 'hex') : undefined);
  const theirs = peer.conn.remote?.infoHash;
  return v2 !== undefined && theirs !== undefined && theirs.equals(v2.subarray(0, 20));
}

export class HashAnswers {
  private readonly trees = new Map<string, LayerTree>();
  private hashing: Promise<unknown> = Promise.resolve();
  private readonly waiting = new WeakMap<Peer, number>();
  /** Files whose stored data did not hash to their pieces root (not hashed again). */
  private readonly unusable = new Set<string>();

  constructor(private readonly session: TorrentSession) {}

  /** A peer's `hash request`: answer with `hashes`, or `hash reject`. Never throws for the peer's input. */
  onRequest(peer: Peer, request: HashRequest): void {
    const reject = () => peer.conn.send({ ...request, type: 'hashReject' });
    const s = this.session;
    const meta = s.meta;
    // A peer that asks faster than it reads gets refusals, not an ever-growing send buffer.
    if (!meta || !isV2Peer(s, peer) || peer.conn.writableNeedDrain) return void reject();
    const rootHex = Buffer.from(request.piecesRoot).toString('hex');
    const file = meta.files.find(
      (f) => f.piecesRoot && Buffer.from(f.piecesRoot).toString('hex') === rootHex,
    );
    if (!file || file.length <= meta.pieceLength) return void reject();
    const shape = fileTreeShape(file.length, meta.pieceLength);
    if (!validRun(shape, request) || request.baseLayer < shape.pieceLevel) return void reject();
    const tree = this.tree(rootHex, file);
    if (tree) return void this.send(peer, request, tree);
    if (!this.haveWhole(file) || this.unusable.has(rootHex)) return void reject();
    const waiting = this.waiting.get(peer) ?? 0;
    if (waiting >= MAX_WAITING) return void reject();
    this.waiting.set(peer, waiting + 1);
    this.hashing = this.hashing
      .then(() => this.computeLayer(rootHex, file))
      .then(
        () => {
          const computed = this.tree(rootHex, file);
          if (computed) this.send(peer, request, computed);
          else reject();
        },
        (err: unknown) => {
          if (ownerOf(err) === s) s.fail(err as Error);
          else s.log(`hash layer of ${file.path.join('/')}: ${describeError(err)}`);
          reject();
        },
      )
      .finally(() => this.waiting.set(peer, (this.waiting.get(peer) ?? 1) - 1));
  }

  private send(peer: Peer, request: HashRequest, tree: LayerTree): void {
    const answer = tree.answer(request);
    if (!answer) peer.conn.send({ ...request, type: 'hashReject' });
    else peer.conn.send({ ...request, ...answer, type: 'hashes' });
  }

  /** The file's layer tree, built from `meta.pieceLayers` (and cached) when its layer is known. */
  private tree(rootHex: string, file: TorrentFile): LayerTree | undefined {
    const cached = this.trees.get(rootHex);
    if (cached) {
      this.trees.delete(rootHex);
      this.trees.set(rootHex, cached);
      return cached;
    }
    const meta = this.session.meta!;
    const layer = meta.pieceLayers.get(rootHex);
    if (!layer) return undefined;
    const tree = new LayerTree(layer, fileTreeShape(file.length, meta.pieceLength));
    this.trees.set(rootHex, tree);
    if (this.trees.size > MAX_TREES) this.trees.delete(this.trees.keys().next().value!);
    return tree;
  }

  /** True when every piece of `file` is verified (so its data can give its layer). */
  private haveWhole(file: TorrentFile): boolean {
    const { have, meta } = this.session;
    if (!have || !meta) return false;
    const first = file.offset / meta.pieceLength;
    const count = Math.ceil(file.length / meta.pieceLength);
    for (let i = first; i < first + count; i++) if (!have.has(i)) return false;
    return true;
  }

  /**
   * Resume or seed a v2 torrent that came without `piece layers`: the layer of each file larger than
   * a piece is hashed from the store and kept when it matches the file's pieces root, so the recheck
   * can check its pieces (a file only partly there keeps none; its layer comes from peers).
   */
  async layersFromStore(): Promise<void> {
    const meta = this.session.meta;
    if (meta?.version !== 'v2') return;
    for (const file of meta.files) {
      if (!file.piecesRoot || file.length <= meta.pieceLength || !this.session.running) continue;
      const rootHex = Buffer.from(file.piecesRoot).toString('hex');
      if (!meta.pieceLayers.has(rootHex)) await this.computeLayer(rootHex, file);
    }
  }

  /**
   * Hash the piece layer of `file` from the store and keep it in `meta.pieceLayers` when it hashes to
   * the file's pieces root (a hybrid whose v1 data does not match its v2 tree keeps none).
   */
  private async computeLayer(rootHex: string, file: TorrentFile): Promise<void> {
    const s = this.session;
    const meta = s.meta!;
    if (meta.pieceLayers.has(rootHex) || !s.store) return;
    const { pieceLength } = meta;
    const pieces = Math.ceil(file.length / pieceLength);
    const layer = Buffer.alloc(pieces * 32);
    for (let p = 0; p < pieces; p++) {
      const start = p * pieceLength;
      const length = Math.min(pieceLength, file.length - start);
      const leaves: Buffer[] = [];
      for (let at = 0; at < length; at += READ_CHUNK) {
        const data = await s.store.read(file.offset + start + at, Math.min(READ_CHUNK, length - at));
        for (let b = 0; b < data.length; b += BLOCK) {
          leaves.push(
            createHash('sha256')
              .update(data.subarray(b, b + BLOCK))
              .digest(),
          );
        }
      }
      merkleRoot(leaves, { width: pieceLength / BLOCK }).copy(layer, p * 32);
    }
    if (!layerRoot(layer, pieceLength).equals(Buffer.from(file.piecesRoot!))) {
      s.log(`the data of ${file.path.join('/')} does not hash to its v2 pieces root: no hashes to give`);
      this.unusable.add(rootHex);
      return;
    }
    meta.pieceLayers.set(rootHex, layer);
  }
}
