/**
 * The announce rules, in one place (BEP 3 `numwant` and `interval`, BEP 15's announce answer): how
 * many peers an announce gets, which announcer counts as a seeder, and who is given seeders. The
 * service (`service.ts`) applies them to every transport; the native UDP fast path
 * (`native/udp_fast.c`) applies the same ones in C, and the table of cases in `announce-cases.ts`
 * runs against both (`announce-rules.test.ts`, `edges/udp/udp-fast-rules.test.ts`), which also check
 * the C constants against `ANNOUNCE_DEFAULTS`.
 */

import type { AnnounceEvent } from './types.js';

/** The service's defaults (each a `TrackerServiceOptions` field). */
export const ANNOUNCE_DEFAULTS = {
  /** Seconds clients should wait between announces. */
  interval: 1800,
  /** Seconds clients must wait between announces (never more than `interval`). */
  minInterval: 900,
  /** Peers given when the client does not say (`numwant` negative or absent). */
  defaultNumwant: 50,
  /** Most peers given to one announce. */
  maxNumwant: 200,
  /** Most info hashes in one scrape: what fits one BEP 15 datagram. */
  maxScrape: 74,
} as const;

/**
 * Peers an announce gets: none when it stops; the default when it does not say (negative); else
 * what it asks, at most `maxNumwant`. The fast path in C: `fast_answer`'s `numwant`.
 */
export function peersWanted(
  event: AnnounceEvent,
  numwant: number,
  defaultNumwant: number,
  maxNumwant: number,
): number {
  if (event === 'stopped') return 0;
  return numwant < 0 ? defaultNumwant : Math.min(numwant, maxNumwant);
}

/** A peer with nothing left to download is a seeder (C: `.seeder`, left == 0). */
export function isSeeder(left: number): boolean {
  return left === 0;
}

/**
 * Seeders are given to leechers, and to a seeder only when it downloaded nothing: an initial
 * seeder, or a magnet client that does not know the size yet (aria2 announces left=0 while it
 * fetches the metadata), which would otherwise never hear of the swarm's only seeders. Everyone
 * else who seeds gets leechers only. (C: `seeders_too`.)
 */
export function seedersToo(left: number, downloaded: number): boolean {
  return left === 0 && downloaded === 0;
}
