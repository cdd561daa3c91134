/**
 * How many block requests to keep in flight to one peer (BEP 3 request pipelining), sized to the
 * bandwidth-delay product from the first block on, as libtorrent's `request_queue_time` does:
 *
 *   queue = rate × QUEUE_SECONDS / 16 KiB, between MIN_QUEUE and MAX_QUEUE requests,
 *
 * and never more than the peer says it queues (`reqq`, BEP 10). Before a rate is known the queue
 * starts at a high guess: `MAX_QUEUE` for a peer on loopback or a local network (where the rate is
 * hundreds of MB/s and any smaller queue leaves the link idle for the first second), `REMOTE_START`
 * for a peer on the internet (a slow one must not hold tens of seconds of our blocks). The rate is
 * measured from the first block over windows of `WINDOW_MS`, smoothed, so the queue fits the peer
 * within a fraction of a second instead of growing once a second from 32.
 *
 * Requests go out in batches (`want`): once the queue is full, a batch waits until an eighth of it
 * (at most `MAX_BATCH`) is free, so one write to the socket carries many requests instead of one
 * per block received.
 */

import { isPublicAddress } from '../net/index.js';

/** Seconds of data to keep requested (libtorrent's `request_queue_time` default: 3). */
export const QUEUE_SECONDS = 3;
/** Fewest requests kept in flight to a peer. */
export const MIN_QUEUE = 16;
/** Most requests kept in flight to a peer (libtorrent's `max_out_request_queue`: 500). */
export const MAX_QUEUE = 500;
/** Starting queue for a peer on the internet, until its rate is measured. */
export const REMOTE_START = 64;
/** Most requests held back to be sent together. */
export const MAX_BATCH = 32;
/** Length of a rate measurement window (ms). */
export const WINDOW_MS = 200;

const BLOCK = 16 * 1024;

export class RequestPipeline {
  /** Requests to keep in flight now. */
  size: number;
  /** Smoothed rate in bytes per second (0 until the first window closes). */
  rate = 0;
  private windowStart = -1;
  private windowBytes = 0;

  constructor(initial: number) {
    this.size = clamp(initial);
  }

  /** The starting queue for a peer at `host` (see the module comment). */
  static forPeer(host: string, transport: 'tcp' | 'webrtc' = 'tcp'): RequestPipeline {
    const local = transport === 'tcp' && !isPublicAddress(host);
    return new RequestPipeline(local ? MAX_QUEUE : REMOTE_START);
  }

  /** A block of `bytes` arrived at `now` (ms). */
  onBlock(bytes: number, now: number): void {
    if (this.windowStart < 0) {
      this.windowStart = now; // the first block opens the first window
      return;
    }
    this.windowBytes += bytes;
    const elapsed = now - this.windowStart;
    if (elapsed < WINDOW_MS) return;
    const sample = (this.windowBytes * 1000) / elapsed;
    this.rate = this.rate === 0 ? sample : (this.rate + sample) / 2;
    this.size = clamp(Math.ceil((this.rate * QUEUE_SECONDS) / BLOCK));
    this.windowStart = now;
    this.windowBytes = 0;
  }

  /**
   * How many requests to send now, with `outstanding` in flight and a peer that queues at most
   * `reqq` (BEP 10; undefined: unknown): 0 until a batch's worth of the queue is free.
   */
  want(outstanding: number, reqq?: number): number {
    const size = reqq !== undefined && reqq > 0 ? Math.min(this.size, reqq) : this.size;
    const free = size - outstanding;
    if (free <= 0) return 0;
    const batch = Math.min(MAX_BATCH, Math.ceil(size / 8));
    return outstanding > 0 && free < batch ? 0 : free;
  }
}

function clamp(n: number): number {
  return Math.max(MIN_QUEUE, Math.min(MAX_QUEUE, n));
}
