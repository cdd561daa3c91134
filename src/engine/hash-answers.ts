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
 * `meta.pieceLayers`. Anything else is refused with `hash reject`: a run
 * that does not fit the file's tree (libtorrent's `validate_hash_request` bounds), a file we do not
 * have whole, a connection that is not a v2 one (BEP 52: only peers that agreed on the v2 info hash).
 * A run below the piece layer (block hashes) must lie inside one piece we have, and is hashed from it.
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
import { describeError } from './fault.js';
import type { Peer } from './peer.js';
import type { FaultSink, TorrentView } from './session-view.js';
import { READ_CHUNK } from './verify.js';

const BLOCK = 16 * 1024;
const MAX_TREES = 8;
/** Bytes queued to a peer and not yet sent beyond which its hash requests are refused. */
const MAX_UNSENT = 1024 * 1024;
const MAX_WAITING = 4;

/**
 * Whether `peer` speaks BEP 52 with us: its handshake named the torrent's (truncated) v2 info hash,
 * as every peer of a v2-only torrent does. Only such peers exchange hash messages.
 */
export function isV2Peer(torrent: Pick<TorrentView, 'meta' | 'infoHashV2'>, peer: Peer): boolean {
  const hex = torrent.meta?.infoHashV2;
  const v2 = torrent.infoHashV2 ?? (hex ? Buffer.from(hex, 'hex') : undefined);
  const theirs = peer.conn.remote?.infoHash;
  return v2 !== undefined && theirs !== undefined && theirs.equals(v2.subarray(0, 20));
}

export class HashAnswers {
  private readonly trees = new Map<string, LayerTree>();
  private hashing: Promise<unknown> = Promise.resolve();
  private readonly waiting = new WeakMap<Peer, number>();
  /** Files whose stored data did not hash to their pieces root (not hashed again). */
  private readonly unusable = new Set<string>();

  constructor(
    private readonly torrent: Pick<TorrentView, 'meta' | 'infoHashV2' | 'have' | 'store' | 'running' | 'log'>,
    private readonly faults: FaultSink,
  ) {}

  /** A peer's `hash request`: answer with `hashes`, or `hash reject`. Never throws for the peer's input. */
  onRequest(peer: Peer, request: HashRequest): void {
    const reject = () => peer.conn.send({ ...request, type: 'hashReject' });
    const s = this.torrent;
    const meta = s.meta;
    // A peer that asks faster than it reads gets refusals, not an ever-growing send buffer. (Not
    // `writableNeedDrain`: writes are corked for the rest of the event-loop turn, so a second request
    // read in the same turn as the first would find the first answer still buffered and be refused.)
    if (!meta || !isV2Peer(s, peer) || peer.conn.socket.writableLength > MAX_UNSENT) return void reject();
    const rootHex = Buffer.from(request.piecesRoot).toString('hex');
    const file = meta.files.find(
      (f) => f.piecesRoot && Buffer.from(f.piecesRoot).toString('hex') === rootHex,
    );
    if (!file || file.length <= meta.pieceLength) return void reject();
    const shape = fileTreeShape(file.length, meta.pieceLength);
    if (!validRun(shape, request)) return void reject();
    const below = request.baseLayer < shape.pieceLevel;
    const tree = this.tree(rootHex, file);
    if (tree && !below) return void this.send(peer, request, tree);
    if (!tree && (!this.haveWhole(file) || this.unusable.has(rootHex))) return void reject();
    const waiting = this.waiting.get(peer) ?? 0;
    if (waiting >= MAX_WAITING) return void reject();
    this.waiting.set(peer, waiting + 1);
    this.hashing = this.hashing
      .then(async () => {
        if (!tree) await this.computeLayer(rootHex, file);
        const known = this.tree(rootHex, file);
        if (!known) return reject();
        if (!below) return this.send(peer, request, known);
        const answer = await this.blockRun(file, known, request);
        if (answer) peer.conn.send({ ...request, ...answer, type: 'hashes' });
        else reject();
      })
      .catch((err: unknown) => {
        if (this.faults.ownsError(err)) this.faults.fail(err as Error);
        else s.log(`hashes of ${file.path.join('/')}: ${describeError(err)}`);
        reject();
      })
      .finally(() => this.waiting.set(peer, (this.waiting.get(peer) ?? 1) - 1));
  }

  /**
   * A run below the piece layer (the block hashes libtorrent asks for after a piece failed): it must
   * lie inside one piece we have; its hashes and the uncles inside the piece come from the piece's
   * data (read once, at most `READ_CHUNK` at a time), the uncles above it from the layer tree.
   */
  private async blockRun(
    file: TorrentFile,
    tree: LayerTree,
    request: HashRequest,
  ): Promise<{ hashes: Buffer; uncles: Buffer } | undefined> {
    const s = this.torrent;
    const { pieceLevel, height, pieces } = tree.shape;
    const { baseLayer, index, length, proofLayers } = request;
    const perPiece = 2 ** pieceLevel;
    const firstLeaf = index * 2 ** baseLayer;
    const piece = Math.floor(firstLeaf / perPiece);
    const pieceLength = s.meta!.pieceLength;
    if (length * 2 ** baseLayer > perPiece || piece >= pieces) return undefined;
    if (!s.have?.has(file.offset / pieceLength + piece) || !s.store) return undefined;
    // Every layer of the piece's subtree, from its block leaves (zero leaves past the file's end).
    const levels = [Buffer.alloc(perPiece * 32)];
    const start = piece * pieceLength;
    const bytes = Math.min(pieceLength, file.length - start);
    for (let at = 0; at < bytes; at += READ_CHUNK) {
      const data = await s.store.read(file.offset + start + at, Math.min(READ_CHUNK, bytes - at));
      for (let b = 0; b < data.length; b += BLOCK) {
        createHash('sha256')
          .update(data.subarray(b, b + BLOCK))
          .digest()
          .copy(levels[0]!, ((at + b) / BLOCK) * 32);
      }
    }
    for (let l = 1; l <= pieceLevel; l++) {
      const below = levels[l - 1]!;
      const up = Buffer.alloc(below.length / 2);
      for (let i = 0; i < up.length / 32; i++) {
        createHash('sha256')
          .update(below.subarray(64 * i, 64 * i + 64))
          .digest()
          .copy(up, 32 * i);
      }
      levels.push(up);
    }
    if (!levels[pieceLevel]!.equals(tree.levels[0]!.subarray(piece * 32, piece * 32 + 32))) return undefined;
    const local = (level: number, node: number) => node - piece * (perPiece >> level);
    const from = local(baseLayer, index);
    const hashes = Buffer.from(levels[baseLayer]!.subarray(from * 32, (from + length) * 32));
    const uncles: Buffer[] = [];
    const runLayers = Math.log2(length);
    let node = index >> runLayers;
    for (let l = baseLayer + runLayers; l <= baseLayer + proofLayers && l < height; l++) {
      const sibling = node ^ 1;
      const at = l < pieceLevel ? levels[l]! : tree.levels[l - pieceLevel]!;
      const i = l < pieceLevel ? local(l, sibling) : sibling;
      uncles.push(at.subarray(i * 32, i * 32 + 32));
      node >>= 1;
    }
    return { hashes, uncles: Buffer.concat(uncles) };
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
    const meta = this.torrent.meta!;
    const layer = meta.pieceLayers.get(rootHex);
    if (!layer) return undefined;
    const tree = new LayerTree(layer, fileTreeShape(file.length, meta.pieceLength));
    this.trees.set(rootHex, tree);
    if (this.trees.size > MAX_TREES) this.trees.delete(this.trees.keys().next().value!);
    return tree;
  }

  /** True when every piece of `file` is verified (so its data can give its layer). */
  private haveWhole(file: TorrentFile): boolean {
    const { have, meta } = this.torrent;
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
    const meta = this.torrent.meta;
    if (meta?.version !== 'v2') return;
    for (const file of meta.files) {
      if (!file.piecesRoot || file.length <= meta.pieceLength || !this.torrent.running) continue;
      const rootHex = Buffer.from(file.piecesRoot).toString('hex');
      if (!meta.pieceLayers.has(rootHex)) await this.computeLayer(rootHex, file);
    }
  }

  /**
   * Hash the piece layer of `file` from the store and keep it in `meta.pieceLayers` when it hashes to
   * the file's pieces root (a hybrid whose v1 data does not match its v2 tree keeps none).
   */
  private async computeLayer(rootHex: string, file: TorrentFile): Promise<void> {
    const s = this.torrent;
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
