/**
 * The grace window of an allow-listed tracker (issue 16): an info hash that is not (yet) allowed is
 * tracked *provisionally* for a few minutes instead of refused, so that a publisher whose client
 * announced before the torrent was published (torrent-only publishing: seed first, then register the
 * `.torrent`) is already in the tracker's swarm when the site starts archiving it. A refusal would
 * cost that publisher a long wait: libtorrent 2.0.8 backs off for minutes after a `failure reason`
 * and ignores BEP 31's `retry in` (see docs/tracker.md, "Grace window").
 *
 * What a provisional announce gets: its peer is stored as usual (so a later announce of the allowed
 * torrent finds it), but the answer carries no peers and a short interval, so an unknown info hash
 * never turns the tracker into a free public one. Bounds: at most `maxHashes` provisional hashes at
 * once, `perAddress` opened by one address (IPv6: one /64), and `announcesPerMinute` announces to
 * provisional hashes from one address; an entry lapses `ttl` seconds after its last announce. All of
 * it lives in two `Map`s kept in order of expiry, so pruning is from the front; memory is O(maxHashes).
 */

export interface ProvisionalOptions {
  /** Seconds an unknown info hash stays tracked after its last announce (default 600). */
  ttl?: number;
  /** Most provisional info hashes at once (default 10,000). */
  maxHashes?: number;
  /** Most provisional info hashes opened by one address (an IPv6 /64) at once (default 16). */
  perAddress?: number;
  /** Most announces to provisional info hashes from one address in a minute (default 60). */
  announcesPerMinute?: number;
  /** `interval` of a provisional answer, seconds (default 60). */
  interval?: number;
  /** `min interval` of a provisional answer, seconds (default 30). */
  minInterval?: number;
}

interface Entry {
  expires: number;
  /** The address that opened it (its slot in `opened`). */
  owner: string;
}

interface Rate {
  windowStart: number;
  count: number;
}

/** Why `admit` said no (for the warning log), or undefined when it said yes. */
export type ProvisionalRefusal = 'full' | 'address-limit' | 'rate-limit';

export class ProvisionalHashes {
  readonly ttl: number;
  readonly interval: number;
  readonly minInterval: number;
  private readonly maxHashes: number;
  private readonly perAddress: number;
  private readonly perMinute: number;
  /** Provisional hashes (latin1 keys), in order of expiry. */
  private readonly hashes = new Map<string, Entry>();
  /** How many live provisional hashes each address opened. */
  private readonly opened = new Map<string, number>();
  /** Announce counts per address for the current minute, in order of window start. */
  private readonly rates = new Map<string, Rate>();

  constructor(options: ProvisionalOptions = {}) {
    this.ttl = Math.max(1, options.ttl ?? 600);
    this.maxHashes = Math.max(1, options.maxHashes ?? 10_000);
    this.perAddress = Math.max(1, options.perAddress ?? 16);
    this.perMinute = Math.max(1, options.announcesPerMinute ?? 60);
    this.interval = Math.max(1, options.interval ?? 60);
    this.minInterval = Math.min(this.interval, Math.max(1, options.minInterval ?? 30));
  }

  /** Provisional hashes held now. */
  get size(): number {
    return this.hashes.size;
  }

  /** True when `infoHash` is tracked provisionally at `now` (seconds). */
  has(infoHash: Buffer, now: number): boolean {
    const entry = this.hashes.get(infoHash.toString('latin1'));
    return entry !== undefined && entry.expires > now;
  }

  /**
   * Lets an announce from `ip` to the unknown `infoHash` be tracked provisionally at `now` (seconds),
   * opening or extending its window; answers why not when a bound says no. `open` false only
   * extends a window already open (a `stopped` announce opens none).
   */
  admit(infoHash: Buffer, ip: Buffer, now: number, open = true): ProvisionalRefusal | undefined {
    this.prune(now);
    const address = addressKey(ip);
    const rate = this.rates.get(address);
    if (rate && rate.count >= this.perMinute) return 'rate-limit';
    if (!rate && this.rates.size >= this.maxHashes) return 'full';
    // Every attempt counts, refused ones too.
    if (rate) rate.count++;
    else this.rates.set(address, { windowStart: now, count: 1 });
    const key = infoHash.toString('latin1');
    const entry = this.hashes.get(key);
    if (entry) {
      // Extended: moved to the end, where the latest expiries are.
      this.hashes.delete(key);
      entry.expires = now + this.ttl;
      this.hashes.set(key, entry);
    } else {
      if (!open) return 'full';
      if (this.hashes.size >= this.maxHashes) return 'full';
      const count = this.opened.get(address) ?? 0;
      if (count >= this.perAddress) return 'address-limit';
      this.opened.set(address, count + 1);
      this.hashes.set(key, { expires: now + this.ttl, owner: address });
    }
    return undefined;
  }

  /** Forgets `infoHash` (it is allowed now, or gone). */
  forget(infoHash: Buffer): void {
    const key = infoHash.toString('latin1');
    const entry = this.hashes.get(key);
    if (!entry) return;
    this.hashes.delete(key);
    this.release(entry.owner);
  }

  /** Drops lapsed windows and finished rate windows. */
  private prune(now: number): void {
    for (const [key, entry] of this.hashes) {
      if (entry.expires > now) break;
      this.hashes.delete(key);
      this.release(entry.owner);
    }
    for (const [address, rate] of this.rates) {
      if (rate.windowStart + 60 > now) break;
      this.rates.delete(address);
    }
  }

  private release(owner: string): void {
    const left = (this.opened.get(owner) ?? 1) - 1;
    if (left <= 0) this.opened.delete(owner);
    else this.opened.set(owner, left);
  }
}

/** The address a bound applies to: an IPv4 address, or the /64 of an IPv6 address. */
function addressKey(ip: Buffer): string {
  return ip.length === 16 ? ip.subarray(0, 8).toString('latin1') : ip.toString('latin1');
}
