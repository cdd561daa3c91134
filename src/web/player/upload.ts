/**
 * Serving verified pieces to other viewers while the page is open (BEP 3 choking): up to `slots`
 * interested peers are unchoked (those that sent us the most first, then the longest waiting),
 * re-decided every 10 s by the swarm; their requests for pieces we hold are queued (at most
 * `maxQueue` per peer, the excess is dropped) and answered while the data channel's send buffer is
 * under `highWater`. Requests from choked peers, for pieces we do not hold, or that do not fit the
 * piece are ignored (BEP 3 lets a peer drop requests when it chokes). No DOM types.
 */

import type { Peer } from './peer.js';
import { type Layout, type PieceStore, pieceSize } from './pieces.js';
import { MAX_BLOCK } from './wire.js';

export interface UploadOptions {
  slots?: number;
  maxQueue?: number;
  highWater?: number;
}

interface Req {
  index: number;
  begin: number;
  length: number;
}

export class Uploader {
  private readonly queues = new Map<Peer, Req[]>();
  private readonly timers = new Map<Peer, ReturnType<typeof setTimeout>>();
  private readonly slots: number;
  private readonly maxQueue: number;
  private readonly highWater: number;
  private readonly interestedSince = new Map<Peer, number>();

  constructor(
    private readonly layout: Layout,
    private readonly store: PieceStore,
    options: UploadOptions = {},
  ) {
    this.slots = options.slots ?? 4;
    this.maxQueue = options.maxQueue ?? 64;
    this.highWater = options.highWater ?? 1024 * 1024;
  }

  onInterest(peer: Peer, peers: Iterable<Peer>): void {
    if (peer.interested) this.interestedSince.set(peer, Date.now());
    else this.interestedSince.delete(peer);
    this.rechoke(peers);
  }

  /** Unchokes the best `slots` interested peers and chokes the rest. */
  rechoke(peers: Iterable<Peer>): void {
    const live = [...peers].filter((p) => !p.closed);
    const ranked = live
      .filter((p) => p.interested)
      .sort(
        (a, b) =>
          b.bytesIn - a.bytesIn || (this.interestedSince.get(a) ?? 0) - (this.interestedSince.get(b) ?? 0),
      );
    const chosen = new Set(ranked.slice(0, this.slots));
    for (const p of live) {
      if (chosen.has(p) && p.amChoking) p.send({ type: 'unchoke' });
      else if (!chosen.has(p) && !p.amChoking) {
        p.send({ type: 'choke' });
        this.queues.delete(p);
      }
    }
  }

  onRequest(peer: Peer, req: Req): void {
    if (peer.amChoking || !this.store.holds(req.index)) return;
    if (req.length > MAX_BLOCK || req.begin + req.length > pieceSize(this.layout, req.index)) return;
    const queue = this.queues.get(peer) ?? [];
    if (queue.length >= this.maxQueue) return;
    queue.push(req);
    this.queues.set(peer, queue);
    this.pump(peer);
  }

  onCancel(peer: Peer, req: Req): void {
    const queue = this.queues.get(peer);
    if (!queue) return;
    const at = queue.findIndex(
      (r) => r.index === req.index && r.begin === req.begin && r.length === req.length,
    );
    if (at >= 0) queue.splice(at, 1);
  }

  onClose(peer: Peer): void {
    this.queues.delete(peer);
    this.interestedSince.delete(peer);
    clearTimeout(this.timers.get(peer));
    this.timers.delete(peer);
  }

  private pump(peer: Peer): void {
    if (this.timers.has(peer)) return;
    const queue = this.queues.get(peer);
    while (queue && queue.length > 0 && !peer.closed) {
      if (peer.buffered > this.highWater) {
        this.timers.set(
          peer,
          setTimeout(() => {
            this.timers.delete(peer);
            this.pump(peer);
          }, 20),
        );
        return;
      }
      const req = queue.shift()!;
      const data = this.store.get(req.index);
      if (!data) continue;
      peer.send({
        type: 'piece',
        index: req.index,
        begin: req.begin,
        block: data.subarray(req.begin, req.begin + req.length),
      });
    }
  }
}
