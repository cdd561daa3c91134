/**
 * Announcing verified pieces to every peer (BEP 3 `have`), a few at a time. A downloader in a swarm
 * verifies pieces one after another and tells each of its peers about each one: with 19 peers and
 * 64 KiB pieces that is 19 writes of 9 bytes per 64 KiB received, more syscalls than the blocks
 * themselves (issue 22's 20-downloader swarm). So the first piece after a quiet spell is announced
 * at the end of the event-loop turn, and the pieces verified within `HAVE_INTERVAL_MS` after it are
 * gathered and announced together: each peer gets them in one write (`wire/turn-cork.ts`). A
 * `have` waits at most `HAVE_INTERVAL_MS`; the last piece (the session complete) goes out at once.
 */

import type { Peer } from './peer.js';

/** Longest a verified piece waits before its `have` is sent (ms). */
export const HAVE_INTERVAL_MS = 10;

export interface HaveSource {
  readonly peers: ReadonlyMap<unknown, Peer>;
  readonly complete: boolean;
}

export class HaveBroadcast {
  private pending: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(private readonly session: HaveSource) {}

  /** Piece `index` was verified and stored: announce it soon. */
  add(index: number): void {
    this.pending.push(index);
    if (this.session.complete) {
      this.flush();
      return;
    }
    if (this.timer || this.immediate) return;
    const wait = this.lastFlush + HAVE_INTERVAL_MS - performance.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), wait).unref();
  }

  /** Send the pending `have`s to every open peer now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const pieces = this.pending;
    if (pieces.length === 0) return;
    this.pending = [];
    this.lastFlush = performance.now();
    for (const peer of this.session.peers.values()) {
      for (const index of pieces) if (peer.conn.open) peer.conn.send({ type: 'have', index });
    }
  }
}
