/**
 * When the site's web seed (BEP 19) defers a client to the swarm: transport-free policy for
 * `GET /items/:id/files/...` with a bounded `Range` (what BEP 19 clients send for pieces).
 *
 * An HTTP request carries no peer id, and several clients may share one address (a NAT, or
 * loopback in tests), so a request is tied to the site's peer connections from its address by
 * counting them:
 *
 * - A connected peer is *served* while the site's peer is actually looking after it: it connected
 *   less than `graceMs` ago (the site's peer is starting on it: handshake, metadata, first pieces),
 *   or the site's peer unchokes it and has its requests queued, or sent it a block in the last
 *   `windowMs`, or it got a new piece in the last `windowMs` (a `have`: the swarm the site's
 *   super-seed steers is feeding it, and the super-seed takes over a peer the swarm stops feeding).
 *   A peer that has the whole item downloads nothing and does not count. Anything else (a magnet
 *   client that never got the metadata, a peer the super-seed starves, a choked peer) is *unserved*.
 * - No downloading peer connected from the address (seeds do not ask), within `firstLookMs` of its first request for the item
 *   (the first in `seenMs`): the request waits until then before being decided (held, not
 *   refused). A BitTorrent client asks the web seed and announces at the same moment, and aria2
 *   asks for the whole file in one range; by then its connection to the site's peer exists and the
 *   rules below apply to it. Every client arriving at that address in that moment waits with it.
 * - No downloading peer at the address, or none of them served: serve (nothing to defer to).
 * - Some unserved: serve while fewer than `perClientInFlight` responses per unserved peer are in
 *   flight to the address (the unserved clients' share), defer the rest briefly (`busyRetryAfter`).
 * - All served: defer (`retryAfter`), except one request (of at most `trickleMaxBytes`) at a time
 *   every `trickleMs` per address, so a client at that address that the site cannot see at all
 *   (not connected to its peer) still moves forward. Not for a request held for the first look: its
 *   client is the one that just connected.
 */

/** What the site's peer knows about one connected peer, as the deferral needs it. */
export interface PeerActivity {
  connectedAt: number;
  /** When the site's peer last sent it a block. */
  lastServedAt: number | undefined;
  /** When it last announced a new piece (`have`). */
  lastHaveAt: number | undefined;
  /** Its requests the site's peer has queued. */
  queued: number;
  /** The site's peer unchokes it. */
  unchoked: boolean;
  /** It has every piece. */
  seed: boolean;
}

export interface DeferralOptions {
  graceMs: number;
  windowMs: number;
  perClientInFlight: number;
  trickleMs: number;
  trickleMaxBytes: number;
  firstLookMs: number;
  seenMs: number;
  /** Seconds a served client is asked to wait (`Retry-After`). */
  retryAfter: number;
  /** Seconds a client over its address's share of the web seed is asked to wait. */
  busyRetryAfter: number;
}

export const DEFERRAL_DEFAULTS: DeferralOptions = Object.freeze({
  graceMs: 5_000,
  windowMs: 10_000,
  perClientInFlight: 4,
  trickleMs: 10_000,
  trickleMaxBytes: 4 * 1024 * 1024,
  firstLookMs: 3_000,
  seenMs: 60_000,
  retryAfter: 10,
  busyRetryAfter: 2,
});

/** The web seed's load from one address for one item. */
export interface AddressLoad {
  /** The site's peer connections from the address for the item. */
  peers: readonly PeerActivity[];
  /** Web seed responses for the item in flight to the address. */
  inFlight: number;
  /** When a request from the address was last served while every peer there was served. */
  lastTrickleAt: number | undefined;
  /** Bytes the request asks for. */
  length: number;
  /** Ms left of the address's first look (see the module comment); 0 when over or already held. */
  firstLook: number;
  /** The request was held for the first look (its client has just connected, if it has: no trickle). */
  held?: boolean;
}

export type Verdict =
  | { serve: true; trickle: boolean; reason: string }
  | { serve: false; retryAfter: number; reason: string }
  | { serve: 'wait'; waitMs: number; reason: string };

function recent(at: number | undefined, now: number, ms: number): boolean {
  return at !== undefined && now - at < ms;
}

/** Whether the site's peer is looking after this peer now (see the module comment). */
export function isServed(peer: PeerActivity, now: number, o: DeferralOptions = DEFERRAL_DEFAULTS): boolean {
  return (
    now - peer.connectedAt < o.graceMs ||
    (peer.unchoked && peer.queued > 0) ||
    recent(peer.lastServedAt, now, o.windowMs) ||
    recent(peer.lastHaveAt, now, o.windowMs)
  );
}

/** Serve or defer a bounded range request from an address (see the module comment). */
export function webSeedVerdict(
  load: AddressLoad,
  now: number,
  o: DeferralOptions = DEFERRAL_DEFAULTS,
): Verdict {
  const downloading = load.peers.filter((p) => !p.seed);
  if (downloading.length === 0 && load.firstLook > 0)
    return { serve: 'wait', waitMs: load.firstLook, reason: 'first look: its peer may be connecting' };
  const unserved = downloading.filter((p) => !isServed(p, now, o)).length;
  const served = downloading.length - unserved;
  if (served === 0) return { serve: true, trickle: false, reason: 'no peer served here' };
  if (unserved > 0) {
    if (load.inFlight < unserved * o.perClientInFlight)
      return { serve: true, trickle: false, reason: `${unserved} unserved peer(s) here` };
    return { serve: false, retryAfter: o.busyRetryAfter, reason: 'unserved share in use' };
  }
  if (
    !load.held &&
    load.inFlight === 0 &&
    load.length <= o.trickleMaxBytes &&
    !recent(load.lastTrickleAt, now, o.trickleMs)
  )
    return { serve: true, trickle: true, reason: 'trickle' };
  return { serve: false, retryAfter: o.retryAfter, reason: 'every peer here is served' };
}

const MAX_ADDRESSES = 10_000;

/** The per-address bookkeeping of `webSeedVerdict`: responses in flight and trickle times (bounded). */
export class WebSeedGate {
  private readonly inFlight = new Map<string, number>();
  private readonly trickles = new Map<string, number>();
  /** Per item and address: when its current first look began, and when it was last seen. */
  private readonly looks = new Map<string, number>();
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: DeferralOptions = DEFERRAL_DEFAULTS) {}

  /**
   * Decides for a request of `length` bytes from `host` for item `itemId` (`waited`: asked again
   * after a `wait` verdict); when served, call `release` once it is over.
   */
  admit(
    itemId: number,
    host: string,
    peers: readonly PeerActivity[],
    request: { now: number; length: number; waited?: boolean },
  ): Verdict & { release: () => void } {
    const { now } = request;
    const key = `${itemId} ${host}`;
    if (!recent(this.seen.get(key), now, this.options.seenMs))
      remember(this.looks, key, now, this.options.seenMs);
    remember(this.seen, key, now, this.options.seenMs);
    const lookEnds = (this.looks.get(key) ?? now) + this.options.firstLookMs;
    const firstLook = request.waited ? 0 : Math.max(0, lookEnds - now);
    const verdict = webSeedVerdict(
      {
        peers,
        inFlight: this.inFlight.get(key) ?? 0,
        lastTrickleAt: this.trickles.get(key),
        length: request.length,
        firstLook,
        held: request.waited === true,
      },
      now,
      this.options,
    );
    if (verdict.serve !== true) return { ...verdict, release: () => {} };
    if (verdict.trickle) remember(this.trickles, key, now, this.options.trickleMs);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let released = false;
    return {
      ...verdict,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.inFlight.get(key) ?? 1) - 1;
        if (n > 0) this.inFlight.set(key, n);
        else this.inFlight.delete(key);
      },
    };
  }

  /** Responses in flight to `host` for the item (tests, diagnostics). */
  inFlightTo(itemId: number, host: string): number {
    return this.inFlight.get(`${itemId} ${host}`) ?? 0;
  }
}

/** Sets `key` to `now` in a bounded map of times (entries older than `ttl` go first, then the oldest). */
function remember(map: Map<string, number>, key: string, now: number, ttl: number): void {
  map.delete(key);
  if (map.size >= MAX_ADDRESSES) {
    for (const [k, at] of map) if (now - at >= ttl) map.delete(k);
    for (const k of map.keys()) {
      if (map.size < MAX_ADDRESSES) break;
      map.delete(k);
    }
  }
  map.set(key, now);
}
