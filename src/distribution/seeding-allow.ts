/**
 * The tracker's allow-list of the site's items (BEP 3 announces, BEP 48 scrapes): exactly the hashes
 * the catalog tracks, by v1 info hash and by the first 20 bytes of the v2 hash (as BEP 52 clients
 * announce a hybrid), plus the derivatives torrents (`seeding-derivatives.ts`), which a
 * re-read of the catalog keeps. An announce for a hash it does not hold is reported (`unknown`), so
 * the caller can look for a derivatives torrent a worker just made.
 */

import { type AllowCheck, allowSet } from '../tracker/index.js';

const key = (hash: string) => hash.slice(0, 40).toLowerCase();

export class SeedingAllowList {
  private readonly hashes = new Set<string>();
  /** The derivatives torrents' hashes among `hashes` (kept when `replace` re-reads the catalog's). */
  private readonly derivedHashes = new Set<string>();
  private readonly allowed = allowSet(new Set());

  /** The tracker's allow check; `unknown` hears of hashes it refused. */
  readonly check: AllowCheck;

  constructor(unknown: (infoHash: Buffer) => void) {
    this.check = Object.assign(
      (infoHash: Buffer) => {
        const ok = this.allowed(infoHash);
        if (!ok) unknown(infoHash);
        return ok;
      },
      {
        update: (next: Set<string>) => this.allowed.update(next),
        size: () => this.allowed.size(),
        keys: () => this.allowed.keys(),
        onUpdate: (listener: () => void) => this.allowed.onUpdate(listener),
      },
    );
  }

  /** Tracks hashes (v1 or v2, hex) from now on; `derived` marks a derivatives torrent's. */
  add(hashes: readonly (string | null | undefined)[], derived = false): void {
    const before = this.hashes.size;
    for (const h of hashes) {
      if (!h) continue;
      this.hashes.add(key(h));
      if (derived) this.derivedHashes.add(key(h));
    }
    if (this.hashes.size !== before) this.allowed.update(this.hashes); // rebuilt only when it grew
  }

  remove(...hashes: (string | null | undefined)[]): void {
    for (const h of hashes) {
      if (!h) continue;
      this.hashes.delete(key(h));
      this.derivedHashes.delete(key(h));
    }
    this.allowed.update(this.hashes);
  }

  /** The catalog's tracked hashes, as read again: those gone are dropped (derivatives' kept). */
  replace(catalog: Iterable<string>): void {
    const now = new Set([...catalog].map(key));
    for (const h of this.hashes) if (!now.has(h) && !this.derivedHashes.has(h)) this.hashes.delete(h);
    for (const h of now) this.hashes.add(h);
    this.allowed.update(this.hashes);
  }
}
