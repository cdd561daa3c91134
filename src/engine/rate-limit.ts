/**
 * A token bucket shared by every torrent of an engine, for the piece payload we send (the way
 * libtorrent's `upload_rate_limit` works): a block is sent once the bucket holds a token, and its bytes
 * are then taken, so the bucket may go into debt by one block and a limit below one block per second
 * still moves. Nothing is dropped: senders wait their turn, first come first served. The bucket holds
 * at most a quarter of a second of tokens (at least one 16 KiB block), the small burst allowed after
 * an idle spell. Rate 0: no limit (every waiter is let through at once). The rate may change at any
 * time; waiters are rescheduled at the new rate.
 */

const BLOCK = 16 * 1024;
/** Seconds of tokens the bucket may hold. */
const BURST_SECONDS = 0.25;

interface Waiter {
  bytes: number;
  resolve: () => void;
}

export class RateLimiter {
  private rate = 0;
  private tokens = 0;
  private last = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    bytesPerSecond = 0,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setRate(bytesPerSecond);
  }

  /** Bytes per second (0: unlimited). */
  get bytesPerSecond(): number {
    return this.rate;
  }

  /** Change the rate (0 or less: unlimited); takes effect for the waiters at once. */
  setRate(bytesPerSecond: number): void {
    this.refill();
    const rate = Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? bytesPerSecond : 0;
    if (rate > 0 && this.rate === 0) this.tokens = this.burst(rate);
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.burst(rate));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.release();
  }

  /** Resolves when `bytes` may be sent (at once when unlimited or when tokens are there). */
  take(bytes: number): Promise<void> {
    if (this.rate === 0) return Promise.resolve();
    this.refill();
    if (this.waiters.length === 0 && this.tokens > 0) {
      this.tokens -= bytes;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiters.push({ bytes, resolve });
      this.schedule();
    });
  }

  /** Let every waiter through (the engine is closing). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private burst(rate: number): number {
    return Math.max(BLOCK, rate * BURST_SECONDS);
  }

  private refill(): void {
    const now = this.now();
    if (this.rate > 0)
      this.tokens = Math.min(this.burst(this.rate), this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  private release(): void {
    if (this.rate === 0) {
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    while (this.waiters.length > 0 && this.tokens > 0) {
      const w = this.waiters.shift()!;
      this.tokens -= w.bytes;
      w.resolve();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0 || this.rate === 0) return;
    const ms = Math.max(5, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      this.release();
    }, ms);
    this.timer.unref();
  }
}
