/**
 * The site's peer in its own tracker, registered in process: instead of each seeding session
 * announcing over HTTP to the tracker of the same process (10,000 requests at start, one per item
 * every interval), the swarms of the seeded items are announced straight into the tracker service
 * (`TrackerService.announce`, the BEP 3 semantics every edge uses), as the peer's announces would
 * have been: `started` when an item is seeded, `stopped` when it is dropped, and a refresh of each
 * swarm once per tracker interval, spread evenly over the interval by one timer (a few swarms a
 * second), so the peer never expires from the swarm store (memory, native or Redis: two nodes see
 * it too).
 *
 * A hybrid torrent is registered under its v1 hash and its v2 hash truncated to 20 bytes (BEP 52),
 * as a v2 client looks it up. The address registered is the one the site's public URL resolves to:
 * the address an announce over the network to its own tracker would have come from. As with an
 * announce over the network, the answer's peers (leechers that announced before the site's peer
 * came up) go to the item's session (`onPeers`), which dials them.
 */

import { isIPv4, isIPv6 } from 'node:net';
import type { AnnounceRequest, AnnounceResponse } from '../tracker/index.js';

/** What the registration needs of the tracker service. */
export interface InProcessTracker {
  announce(req: AnnounceRequest): AnnounceResponse | Promise<AnnounceResponse>;
  /** Seconds between a peer's announces. */
  readonly interval: number;
}

export interface TrackerRegistrationOptions {
  tracker: InProcessTracker;
  /** The site's tracker URLs (HTTP, UDP, WebSocket): sessions never announce to them. */
  isOwn: (url: string) => boolean;
  /** The seeding peer's id and TCP port. */
  peerId: Buffer;
  port: () => number;
  /** The peer's address as the tracker should hand it out (IPv4 or IPv6 text). */
  address: string;
  log?: (message: string) => void;
  /** Milliseconds between refresh rounds (default 1000; tests shorten it). */
  periodMs?: number;
}

export class TrackerRegistration {
  /** Registered hashes (20 bytes each) in refresh order; `index` finds one for removal. */
  private readonly list: Buffer[] = [];
  private readonly index = new Map<string, number>();
  private readonly peersTo = new Map<string, PeersFound>();
  /** What each swarm's session still lacks (bytes), announced as `left`. */
  private readonly leftOf = new Map<string, () => number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ip: Buffer;
  /** In-process announces sent since start (bench and tests). */
  announces = 0;

  constructor(private readonly options: TrackerRegistrationOptions) {
    this.ip = ipBytes(options.address);
  }

  /** True for the site's own tracker URLs. */
  readonly isOwn = (url: string): boolean => this.options.isOwn(url);

  /** Hashes registered now. */
  get size(): number {
    return this.list.length;
  }

  /**
   * Register the site's peer in the swarms of `hashes` (hex; v2 hashes are truncated) at once; the
   * peers the tracker answers with (now and at each refresh) go to `onPeers`. `left` is what the
   * session still lacks, announced as its own announces would (a session whose pieces are damaged
   * is no seed: a tracker that hands seeds only leechers, and clients that drop seed-to-seed
   * connections, would otherwise leave it out).
   */
  add(hashes: readonly (string | null | undefined)[], onPeers?: PeersFound, left?: () => number): void {
    for (const hash of keysOf(hashes)) {
      if (this.index.has(hash)) continue;
      const bytes = Buffer.from(hash, 'hex');
      this.index.set(hash, this.list.length);
      this.list.push(bytes);
      if (onPeers) this.peersTo.set(hash, onPeers);
      if (left) this.leftOf.set(hash, left);
      this.send(bytes, 'started');
    }
    this.startTimer();
  }

  /** Take the peer out of the swarms of `hashes` (`stopped`). */
  remove(...hashes: (string | null | undefined)[]): void {
    for (const hash of keysOf(hashes)) {
      const at = this.index.get(hash);
      if (at === undefined) continue;
      const bytes = this.list[at]!;
      const last = this.list.pop()!;
      this.index.delete(hash);
      this.peersTo.delete(hash);
      this.leftOf.delete(hash);
      if (last !== bytes) {
        this.list[at] = last;
        this.index.set(last.toString('hex'), at);
      }
      this.send(bytes, 'stopped');
    }
  }

  /** One refresh round: the share of the swarms due this period (all of them once per interval). */
  refresh(): void {
    const n = this.list.length;
    if (n === 0) return;
    const periods = Math.max(1, (this.options.tracker.interval * 1000) / (this.options.periodMs ?? 1000));
    const count = Math.min(n, Math.ceil(n / periods));
    for (let i = 0; i < count; i++) {
      if (this.cursor >= this.list.length) this.cursor = 0;
      this.send(this.list[this.cursor++]!, 'none');
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.options.periodMs ?? 1000);
    this.timer.unref();
  }

  private send(infoHash: Buffer, event: AnnounceRequest['event']): void {
    this.announces++;
    const key = infoHash.toString('hex');
    const onPeers = event === 'stopped' ? undefined : this.peersTo.get(key);
    const req: AnnounceRequest = {
      infoHash,
      peerId: this.options.peerId,
      ip: this.ip,
      port: this.options.port(),
      uploaded: 0,
      downloaded: 0,
      left: this.leftOf.get(key)?.() ?? 0,
      event,
      numwant: onPeers ? 50 : 0,
      key: 0,
      wantPeerIds: false,
      transport: 'http',
    };
    const found = (res: AnnounceResponse) => {
      const peers = compactPeers(res.peers.v4, 4).concat(compactPeers(res.peers.v6, 16));
      if (peers.length > 0) onPeers?.(peers);
    };
    try {
      const result = this.options.tracker.announce(req);
      if (result instanceof Promise) result.then(found, (err: unknown) => this.failed(err));
      else found(result);
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.options.log?.(`own tracker: registering the site's peer: ${(err as Error).message}`);
  }
}

/** A peer the tracker gave. */
export interface FoundPeer {
  host: string;
  port: number;
}

export type PeersFound = (peers: FoundPeer[]) => void;

/** Compact peers (BEP 23 / BEP 7): `size` address bytes then a big-endian port, each. */
function compactPeers(bytes: Buffer, size: 4 | 16): FoundPeer[] {
  const out: FoundPeer[] = [];
  for (let at = 0; at + size + 2 <= bytes.length; at += size + 2) {
    const a = bytes.subarray(at, at + size);
    const host =
      size === 4
        ? [...a].join('.')
        : Array.from({ length: 8 }, (_, i) => a.readUInt16BE(i * 2).toString(16)).join(':');
    out.push({ host, port: bytes.readUInt16BE(at + size) });
  }
  return out;
}

/** Lower-case 40-digit keys of the given hex hashes (v2 truncated), without blanks. */
function keysOf(hashes: readonly (string | null | undefined)[]): string[] {
  return hashes.filter((h): h is string => !!h).map((h) => h.slice(0, 40).toLowerCase());
}

/** The 4 or 16 bytes of an IP address in text. */
export function ipBytes(text: string): Buffer {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text)) throw new Error(`not an IP address: ${text}`);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  let parts = groups(head);
  let rest = groups(tail);
  const last = (tail === undefined ? parts : rest).at(-1);
  const v4 = last && isIPv4(last) ? Buffer.from(last.split('.').map(Number)) : undefined;
  if (v4 && tail === undefined) parts = parts.slice(0, -1);
  else if (v4) rest = rest.slice(0, -1);
  const fill = 8 - (v4 ? 2 : 0) - parts.length - rest.length;
  const words = [...parts, ...(tail === undefined ? [] : Array(fill).fill('0')), ...rest];
  const out = Buffer.alloc(16);
  for (let i = 0; i < words.length; i++) out.writeUInt16BE(Number.parseInt(words[i]!, 16), i * 2);
  if (v4) v4.copy(out, 12);
  return out;
}
