/**
 * Honest statistics (issue 17): the bytes that reached people for each item, by channel.
 *
 * - `httpPlayer`: the site's plain HTTP answers to a page's `<video>`/`<audio>` (the browser sends
 *   `Sec-Fetch-Dest: video` or `audio`);
 * - `httpDownload`: every other plain HTTP answer for a file (a link followed, curl, a podcast app);
 * - `webSeed`: BEP 19 web-seed requests of BitTorrent clients (a bounded `Range: bytes=a-b` from a
 *   client that names itself libtorrent, aria2, Transmission, Seedcast...) and the P2P player's
 *   fallback (`X-Seedcast-Player: p2p`);
 * - `tcp`, `webrtc`: what the site's own peer uploaded to BitTorrent peers of each transport
 *   (`Seeding.trafficOf`, sampled: the difference since the last sample is added, a counter that went
 *   back, a session restarted, counts from zero again);
 * - `browserPeers`: bytes browsers report they got from other peers (the beacon, `p2p-report`).
 *
 * HTTP bytes are added as responses end; everything is held in memory and flushed to a
 * `TrafficStore` every `flushMs` (30 s) and at `close`, so counts survive restarts. `saved` is the
 * swarm's share: see `bandwidthSaved`.
 */

import type { IncomingHttpHeaders } from 'node:http';

export interface TrafficCounts {
  httpPlayer: number;
  httpDownload: number;
  webSeed: number;
  tcp: number;
  webrtc: number;
  browserPeers: number;
}

export type TrafficChannel = keyof TrafficCounts;
export const TRAFFIC_CHANNELS: readonly TrafficChannel[] = [
  'httpPlayer',
  'httpDownload',
  'webSeed',
  'tcp',
  'webrtc',
  'browserPeers',
];

/** Where the counters live (`SqlTrafficStore` on the site's database; a map in tests). */
export interface TrafficStore {
  /** Adds each count to the item's counters (creating them at zero first). */
  add(itemId: number, delta: Partial<TrafficCounts>): Promise<void>;
  /** The item's counters (all zero for an item never counted). */
  get(itemId: number): Promise<TrafficCounts>;
}

/** Bytes the site's own peer uploaded to peers of each transport since it started (H2's `Seeding.trafficOf`). */
export type PeerTraffic = (itemId: number) => { tcp: number; webrtc: number };

export interface TrafficOptions {
  store: TrafficStore;
  /** The site's peer: its per-transport upload counts and the items it seeds. */
  peers?: { trafficOf: PeerTraffic; itemIds: () => Iterable<number> };
  /** How often counters are written (default 30 s). */
  flushMs?: number;
  log?: (message: string) => void;
}

export function zeroCounts(): TrafficCounts {
  return { httpPlayer: 0, httpDownload: 0, webSeed: 0, tcp: 0, webrtc: 0, browserPeers: 0 };
}

/** User agents of BitTorrent clients that fetch pieces from web seeds (BEP 19). */
const TORRENT_CLIENT =
  /\b(libtorrent|aria2|transmission|qbittorrent|deluge|rtorrent|[uµ]torrent|bittorrent|seedcast|webtorrent|biglybt|azureus|vuze|tixati|frostwire)\b/i;

/** Which channel a plain HTTP request for an item's file is (see the module comment). */
export function classifyHttp(headers: IncomingHttpHeaders): 'httpPlayer' | 'httpDownload' | 'webSeed' {
  const one = (name: string) => {
    const v = headers[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
  if (one('x-seedcast-player').toLowerCase() === 'p2p') return 'webSeed';
  const dest = one('sec-fetch-dest').toLowerCase();
  if (dest === 'video' || dest === 'audio') return 'httpPlayer';
  const bounded = /^bytes=\d+-\d+$/.test(one('range'));
  if (bounded && dest === '' && TORRENT_CLIENT.test(one('user-agent'))) return 'webSeed';
  return 'httpDownload';
}

/**
 * Bytes the swarm carried instead of the site: what browsers got from peers plus what BitTorrent
 * clients completed (`completed` × the item's size), less everything the site sent to those peers
 * and clients itself (its TCP and WebRTC uploads and its web seed); never below zero. Plain HTTP to
 * players and downloads is on neither side: nobody got those bytes from the swarm.
 */
export function bandwidthSaved(counts: TrafficCounts, swarm: { completed: number; size: number }): number {
  const reached = counts.browserPeers + swarm.completed * swarm.size;
  const fromSite = counts.tcp + counts.webrtc + counts.webSeed;
  return Math.max(0, reached - fromSite);
}

/** An item's counts as the API and the item page show them. */
export interface TrafficView extends TrafficCounts {
  /** Everything the site sent: plain HTTP, web seed, TCP and WebRTC peers. */
  site: number;
  /** `bandwidthSaved`. */
  saved: number;
}

export function trafficView(counts: TrafficCounts, swarm: { completed: number; size: number }): TrafficView {
  const site = counts.httpPlayer + counts.httpDownload + counts.webSeed + counts.tcp + counts.webrtc;
  return { ...counts, site, saved: bandwidthSaved(counts, swarm) };
}

export class Traffic {
  /** Counts not yet written, per item. */
  private pending = new Map<number, Partial<TrafficCounts>>();
  /** The site peer's per-transport counts at the last sample, per item. */
  private sampled = new Map<number, { tcp: number; webrtc: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: TrafficOptions) {}

  /** Starts the periodic flush (the timer does not keep the process alive). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => this.options.log?.(`traffic: cannot flush: ${String(err)}`));
    }, this.options.flushMs ?? 30_000);
    this.timer.unref();
  }

  /** Counts bytes of one channel for an item (whole, non-negative bytes only). */
  record(itemId: number, channel: TrafficChannel, bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) return;
    const p = this.pending.get(itemId) ?? {};
    p[channel] = (p[channel] ?? 0) + bytes;
    this.pending.set(itemId, p);
  }

  /** The item's counts: stored, plus what is not flushed yet (the site peer sampled now). */
  async counts(itemId: number): Promise<TrafficCounts> {
    this.samplePeers([itemId]);
    const stored = await this.options.store.get(itemId);
    const p = this.pending.get(itemId) ?? {};
    for (const c of TRAFFIC_CHANNELS) stored[c] += p[c] ?? 0;
    return stored;
  }

  /** Writes every pending count (one flush at a time; counts made meanwhile wait for the next). */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.options.peers) this.samplePeers(this.options.peers.itemIds());
      const batch = this.pending;
      this.pending = new Map();
      for (const [itemId, delta] of batch) {
        try {
          await this.options.store.add(itemId, delta);
        } catch (err) {
          // Kept for the next flush (a store never fails for an item deleted meanwhile: it skips it).
          this.options.log?.(`traffic: item ${itemId}: ${String(err)}`);
          for (const c of TRAFFIC_CHANNELS) this.record(itemId, c, delta[c] ?? 0);
        }
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Moves what the site's peer uploaded since the last sample into the pending counts. */
  private samplePeers(itemIds: Iterable<number>): void {
    const peers = this.options.peers;
    if (!peers) return;
    for (const itemId of itemIds) {
      const now = peers.trafficOf(itemId);
      const last = this.sampled.get(itemId) ?? { tcp: 0, webrtc: 0 };
      // A counter that went back belongs to a new session (restart, takedown and restore): from zero.
      this.record(itemId, 'tcp', now.tcp >= last.tcp ? now.tcp - last.tcp : now.tcp);
      this.record(itemId, 'webrtc', now.webrtc >= last.webrtc ? now.webrtc - last.webrtc : now.webrtc);
      this.sampled.set(itemId, { tcp: now.tcp, webrtc: now.webrtc });
    }
  }
}
