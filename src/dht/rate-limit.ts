/**
 * Inbound query limits against hostile DHT nodes: a token bucket per source address (a node may
 * send `perSecond` queries a second on average, `burst` at once), an address that keeps flooding is
 * blocked for a while (as libtorrent's `dht_block_ratelimit`/`dht_block_timeout` do), and a global
 * cap on queries per second bounds the work a distributed flood can cause. Memory is bounded: at
 * most `maxAddresses` addresses are tracked; when full, idle ones are forgotten, and queries from
 * new addresses are dropped until there is room. Transport-free (the clock is injectable).
 */

export interface RateLimitOptions {
  /** Queries a second one address may send on average (default 5, libtorrent's figure). */
  perSecond?: number;
  /** Queries one address may send at once (default 20). */
  burst?: number;
  /** Queries a second from everyone together (default 500). */
  globalPerSecond?: number;
  /** Block an address this long after it overran its bucket this many times in a row (default 5 min, 50). */
  blockMs?: number;
  blockAfter?: number;
  /** Addresses tracked at once (default 20,000). */
  maxAddresses?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  overruns: number;
  blockedUntil: number;
}

export class QueryRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly o: Required<RateLimitOptions>;
  private globalTokens: number;
  private globalAt: number;
  private sweptAt = 0;
  /** Queries dropped so far (for logs and tests). */
  dropped = 0;

  constructor(options: RateLimitOptions = {}) {
    this.o = {
      perSecond: 5,
      burst: 20,
      globalPerSecond: 500,
      blockMs: 5 * 60_000,
      blockAfter: 50,
      maxAddresses: 20_000,
      now: Date.now,
      ...options,
    };
    this.globalTokens = this.o.globalPerSecond;
    this.globalAt = this.o.now();
  }

  /** May a query from `host` be answered now? (Counts it when yes.) */
  allow(host: string): boolean {
    const now = this.o.now();
    this.globalTokens = Math.min(
      this.o.globalPerSecond,
      this.globalTokens + ((now - this.globalAt) / 1000) * this.o.globalPerSecond,
    );
    this.globalAt = now;
    let bucket = this.buckets.get(host);
    if (!bucket) {
      if (this.buckets.size >= this.o.maxAddresses) this.sweep(now);
      if (this.buckets.size >= this.o.maxAddresses) return this.drop();
      bucket = { tokens: this.o.burst, at: now, overruns: 0, blockedUntil: 0 };
      this.buckets.set(host, bucket);
    }
    if (bucket.blockedUntil > now) return this.drop();
    bucket.tokens = Math.min(this.o.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.o.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      if (++bucket.overruns >= this.o.blockAfter) bucket.blockedUntil = now + this.o.blockMs;
      return this.drop();
    }
    if (this.globalTokens < 1) return this.drop();
    bucket.tokens -= 1;
    bucket.overruns = 0;
    this.globalTokens -= 1;
    return true;
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  private drop(): false {
    this.dropped++;
    return false;
  }

  /** Forget addresses whose bucket is full again and that are not blocked. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return; // at most once a second: a spoofed flood can't make us scan per packet
    this.sweptAt = now;
    const idleMs = (this.o.burst / this.o.perSecond) * 1000;
    for (const [host, b] of this.buckets)
      if (b.blockedUntil <= now && now - b.at >= idleMs) this.buckets.delete(host);
  }
}
