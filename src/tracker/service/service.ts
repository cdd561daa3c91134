/**
 * The transport-free announce/scrape service (BEP 3 semantics, BEP 48 scrape). Every transport
 * parses its input into an `AnnounceRequest` or `ScrapeRequest` and calls this; it applies the
 * allow-list, the numwant limits and the announce intervals, counts metrics and asks the swarm
 * store. Refusals are thrown as `SeedcastError`s (`TRACKER_*`), which each edge turns into its own
 * kind of answer (a bencoded `failure reason`, a BEP 15 error packet).
 */

import { isSeedcastError, SeedcastError } from '../../errors.js';
import type { WsCluster } from '../edges/ws/ws-cluster.js';
import type { WsLocalPeer } from '../edges/ws/ws-local-peer.js';
import { MemoryStore } from '../stores/memory-store.js';
import type { MaybePromise, StoreAnnounce, StoreAnnounceResult, SwarmStore } from '../stores/store.js';
import { type AllowCheck, type AllowSet, isAllowSet } from './allow-list.js';
import { ANNOUNCE_DEFAULTS, isSeeder, peersWanted, seedersToo } from './announce-rules.js';
import { TrackerMetrics } from './metrics.js';
import { ProvisionalHashes, type ProvisionalOptions } from './provisional.js';
import type {
  AnnounceEvent,
  AnnounceRequest,
  AnnounceResponse,
  ScrapeRequest,
  ScrapeResponse,
  SwarmCounts,
  TorrentStats,
  Transport,
} from './types.js';

/** Counts of peers kept outside the store (the WebSocket relay registry, maybe shared), for one hash. */
export type ExtraCounts = (infoHash: Buffer) => MaybePromise<SwarmCounts | undefined>;

export interface TrackerServiceOptions {
  /** The swarm store (default: a fresh `MemoryStore`). */
  store?: SwarmStore;
  /** Seconds clients should wait between announces (default 1800). */
  interval?: number;
  /** Seconds clients must wait between announces (default 900). */
  minInterval?: number;
  /** Peers given when the client does not say (default 50). */
  defaultNumwant?: number;
  /** Most peers given to one announce (default 200). */
  maxNumwant?: number;
  /** Most info hashes in one scrape (default 74, what fits one BEP 15 datagram). */
  maxScrape?: number;
  /** Only torrents this allows are tracked (default: every torrent). */
  allow?: AllowCheck;
  /**
   * With `allow`: track a torrent it does not allow (yet) for a grace window instead of refusing it,
   * answering with no peers (`provisional.ts`). Default: refuse at once.
   */
  grace?: ProvisionalOptions;
  /** The current time in whole seconds (tests move it). */
  clock?: () => number;
}

export interface AnnounceOptions {
  /**
   * The caller reads an answer given at once before it announces again, as the UDP edge does when
   * it encodes the answer straight away. The answer and its peer lists may then be objects and
   * memory the next announce reuses (nothing is allocated for them). Answers that come later, as
   * promises, are always the caller's own.
   */
  transient?: boolean;
}

export class TrackerService {
  readonly store: SwarmStore;
  readonly metrics = new TrackerMetrics();
  readonly interval: number;
  readonly minInterval: number;
  readonly maxScrape: number;
  private readonly defaultNumwant: number;
  private readonly maxNumwant: number;
  private readonly allow: AllowCheck | undefined;
  /** Torrents not allowed (yet) but tracked for a grace window (with `grace`). */
  readonly provisional: ProvisionalHashes | undefined;
  private readonly clock: () => number;
  /** Peers counted besides the store's: the WebSocket edge's relay registry (`countAlso`). */
  private extra: ExtraCounts | undefined;
  /**
   * The site's in-process WebRTC peer, given offers by the WebSocket edge (`edges/ws/ws-local-peer.ts`);
   * set by the composition root when the site runs one.
   */
  wsLocalPeer: WsLocalPeer | undefined;
  /** The WebSocket swarms shared with other site nodes (`edges/ws/ws-cluster.ts`), set before the edge is made. */
  wsCluster: WsCluster | undefined;
  /** The clock is the wall clock (no `clock` option): a native edge may read the time itself. */
  private readonly wallClock: boolean;
  /** The input handed to a synchronous store (see `announceAllowed`). */
  private readonly input: StoreAnnounce = {
    infoHash: EMPTY,
    peerId: EMPTY,
    ip: EMPTY,
    port: 0,
    key: 0,
    seeder: false,
    seedersToo: false,
    event: 'none',
    numwant: 0,
    wantPeerIds: false,
    otherFamily: false,
    now: 0,
    transient: false,
  };
  /** The answer object reused for transient announces (see `AnnounceOptions`). */
  private readonly transientAnswer: AnnounceResponse = {
    interval: 0,
    minInterval: 0,
    complete: 0,
    incomplete: 0,
    downloaded: 0,
    peers: { v4: EMPTY, v6: EMPTY },
  };

  constructor(options: TrackerServiceOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.interval = options.interval ?? ANNOUNCE_DEFAULTS.interval;
    this.minInterval = options.minInterval ?? Math.min(ANNOUNCE_DEFAULTS.minInterval, this.interval);
    this.defaultNumwant = options.defaultNumwant ?? ANNOUNCE_DEFAULTS.defaultNumwant;
    this.maxNumwant = options.maxNumwant ?? ANNOUNCE_DEFAULTS.maxNumwant;
    this.maxScrape = options.maxScrape ?? ANNOUNCE_DEFAULTS.maxScrape;
    this.allow = options.allow;
    this.provisional = options.allow && options.grace ? new ProvisionalHashes(options.grace) : undefined;
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.wallClock = options.clock === undefined;
  }

  /**
   * What an edge that answers announces itself (the native UDP fast path, `udp_fast.c`) must apply
   * to answer as this service would, or undefined when it cannot: the service keeps a clock of its
   * own (tests), or decides the allow list by a callback rather than a set of hashes. The edge
   * must then count what it answers into `metrics` (`TrackerMetrics.addAnnounceSource`).
   */
  fastPathRules():
    | { interval: number; defaultNumwant: number; maxNumwant: number; allow: AllowSet | undefined }
    | undefined {
    if (!this.wallClock) return undefined;
    if (this.allow && !isAllowSet(this.allow)) return undefined;
    return {
      interval: this.interval,
      defaultNumwant: this.defaultNumwant,
      maxNumwant: this.maxNumwant,
      allow: this.allow,
    };
  }

  /**
   * Adds peers kept outside the store to every count this service gives (announce answers, scrapes,
   * `stats`): the WebSocket edge's peers, which have no address to put in HTTP or UDP peer lists.
   */
  countAlso(extra: ExtraCounts): void {
    this.extra = extra;
  }

  /**
   * Applies the allow check (and the grace window) to an announce that bypasses the store: the
   * WebSocket edge's. Resolves true when the torrent is allowed, false when it is tracked only
   * provisionally (relay nothing to it); throws TRACKER_NOT_ALLOWED (at once or as a rejection) else.
   * Counts the announce in the metrics.
   */
  admit(infoHash: Buffer, ip: Buffer, event: AnnounceEvent): MaybePromise<boolean> {
    const decide = (allowed: boolean): boolean => {
      if (!allowed) {
        const grace = this.provisional;
        if (!grace) throw notAllowed(infoHash);
        const refused = grace.admit(infoHash, ip, this.clock(), event !== 'stopped');
        if (refused) throw notAllowed(infoHash, refused);
        this.metrics.provisionalAnnounces++;
      }
      this.metrics.announce('ws', event);
      return allowed;
    };
    if (!this.allow) return decide(true);
    const ok = this.allow(infoHash);
    if (typeof ok === 'boolean') return decide(ok);
    return this.verdict(ok).then(decide);
  }

  /**
   * Answers an announce. With a synchronous store and allow check (the memory store, an allow-list
   * set) the answer comes back at once, without a promise; refusals are then thrown at once too.
   * The request's buffers may be views of memory the transport reuses once this call returns: the
   * service copies them before anything asynchronous (an asynchronous store or allow check).
   * With `transient`, an answer given at once may live in memory the next announce reuses.
   */
  announce(req: AnnounceRequest, options: AnnounceOptions = {}): MaybePromise<AnnounceResponse> {
    const sync = this.store.synchronous === true;
    const held = sync ? req : detached(req);
    if (this.allow) {
      const ok = this.allow(held.infoHash);
      if (ok !== true) {
        if (ok === false) return this.announceUnknown(held, sync && options.transient === true);
        const kept = held === req ? detached(req) : held;
        return this.verdict(ok).then((allowed) =>
          allowed ? this.announceAllowed(kept, false) : this.announceUnknown(kept, false),
        );
      }
    }
    return this.announceAllowed(held, sync && options.transient === true);
  }

  /**
   * An announce for a torrent the allow check refused: tracked provisionally when the grace window
   * admits it (stored, answered with no peers and the short interval), else refused.
   */
  private announceUnknown(req: AnnounceRequest, transient: boolean): MaybePromise<AnnounceResponse> {
    const grace = this.provisional;
    if (!grace) throw notAllowed(req.infoHash);
    const refused = grace.admit(req.infoHash, req.ip, this.clock(), req.event !== 'stopped');
    if (refused) throw notAllowed(req.infoHash, refused);
    this.metrics.provisionalAnnounces++;
    const answer = (res: AnnounceResponse): AnnounceResponse => {
      res.interval = grace.interval;
      res.minInterval = grace.minInterval;
      // BEP 3 `warning message` (HTTP only; a UDP answer, maybe reused memory, has no room for it).
      if (req.transport === 'http') res.warning = PROVISIONAL_WARNING;
      return res;
    };
    const res = this.announceAllowed({ ...req, numwant: 0 }, transient);
    return res instanceof Promise ? res.then(answer) : answer(res);
  }

  private announceAllowed(req: AnnounceRequest, transient: boolean): MaybePromise<AnnounceResponse> {
    const numwant = peersWanted(req.event, req.numwant, this.defaultNumwant, this.maxNumwant);
    let result: MaybePromise<StoreAnnounceResult>;
    try {
      // A synchronous store is done with its input when it returns: one input object serves all.
      const input: StoreAnnounce = this.store.synchronous === true ? this.input : ({} as StoreAnnounce);
      input.infoHash = req.infoHash;
      input.peerId = req.peerId;
      input.ip = req.ip;
      input.port = req.port;
      input.key = req.key;
      // Who is a seeder and who is given seeders: `announce-rules.ts`.
      input.seeder = isSeeder(req.left);
      input.seedersToo = seedersToo(req.left, req.downloaded);
      input.event = req.event;
      input.numwant = numwant;
      input.wantPeerIds = req.wantPeerIds;
      input.otherFamily = req.transport === 'http';
      input.now = this.clock();
      input.transient = transient;
      result = this.store.announce(input);
    } catch (err) {
      throw unavailable(err);
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => this.answer(req, r),
        (err) => {
          throw unavailable(err);
        },
      );
    }
    if (transient) return this.answer(req, result, this.transientAnswer);
    return this.answer(req, result);
  }

  private answer(
    req: AnnounceRequest,
    result: StoreAnnounceResult,
    into?: AnnounceResponse,
  ): MaybePromise<AnnounceResponse> {
    this.metrics.announce(req.transport, req.event);
    const more = this.extra?.(req.infoHash);
    if (more instanceof Promise) return more.then((m) => this.fill(result, m));
    return this.fill(result, more, into);
  }

  /** The answer, in `into` (transient) or a new object: the store's counts plus `more`. */
  private fill(result: StoreAnnounceResult, more?: SwarmCounts, into?: AnnounceResponse): AnnounceResponse {
    const res = into ?? ({} as AnnounceResponse);
    res.interval = this.interval;
    res.minInterval = this.minInterval;
    res.complete = result.complete + (more?.complete ?? 0);
    res.incomplete = result.incomplete + (more?.incomplete ?? 0);
    res.downloaded = result.downloaded + (more?.downloaded ?? 0);
    res.peers = result.peers;
    return res;
  }

  async scrape(req: ScrapeRequest): Promise<ScrapeResponse> {
    if (req.infoHashes.length === 0)
      throw new SeedcastError(
        'TRACKER_BAD_REQUEST',
        'scrape needs at least one info_hash (full scrape is off)',
      );
    if (req.infoHashes.length > this.maxScrape) {
      throw new SeedcastError('TRACKER_TOO_LARGE', `at most ${this.maxScrape} info hashes per scrape`);
    }
    if (this.allow)
      for (const h of req.infoHashes)
        if (!(await this.verdict(this.allow(h))) && !this.provisional?.has(h, this.clock()))
          throw notAllowed(h);
    let counts: Awaited<ReturnType<SwarmStore['scrape']>>;
    try {
      counts = await this.store.scrape(req.infoHashes, this.clock());
    } catch (err) {
      throw unavailable(err);
    }
    this.metrics.scrape(req.transport);
    const files = req.infoHashes.map(async (infoHash, i) => ({
      infoHash,
      counts: await this.withExtra(infoHash, counts[i]!),
    }));
    return { files: await Promise.all(files), minInterval: this.minInterval };
  }

  /** Seeders, leechers and completed downloads of one torrent (20-byte hash or 40 hex digits). */
  async stats(infoHash: Buffer | string): Promise<TorrentStats> {
    const hash = typeof infoHash === 'string' ? Buffer.from(infoHash, 'hex') : infoHash;
    if (hash.length !== 20) throw new SeedcastError('TRACKER_BAD_REQUEST', 'an info hash has 20 bytes');
    const [stored] = await this.store.scrape([hash], this.clock());
    const c = await this.withExtra(hash, stored!);
    return { seeders: c.complete, leechers: c.incomplete, completed: c.downloaded };
  }

  /** The store's counts plus the peers kept outside it (`countAlso`). */
  private async withExtra(infoHash: Buffer, counts: SwarmCounts): Promise<SwarmCounts> {
    const more = await this.extra?.(infoHash);
    if (!more) return counts;
    return {
      complete: counts.complete + more.complete,
      incomplete: counts.incomplete + more.incomplete,
      downloaded: counts.downloaded + more.downloaded,
    };
  }

  /** Forgets peers that stopped announcing; resolves to how many. */
  async sweep(): Promise<number> {
    return this.store.sweep(this.clock());
  }

  /** Counts a refused or malformed request. */
  recordError(transport: Transport, err: unknown): void {
    this.metrics.error(transport, isSeedcastError(err) ? err.code : 'INTERNAL');
  }

  /** The Prometheus text of the tracker's metrics. */
  async metricsText(): Promise<string> {
    return this.metrics.render(await this.store.size());
  }

  /** The store's counts alone (HTTP and UDP peers), without WebSocket swarms: for the item's saving. */
  async storeStats(infoHash: Buffer | string): Promise<TorrentStats> {
    const hash = typeof infoHash === 'string' ? Buffer.from(infoHash, 'hex') : infoHash;
    if (hash.length !== 20) throw new SeedcastError('TRACKER_BAD_REQUEST', 'an info hash has 20 bytes');
    const [c] = await this.store.scrape([hash], this.clock());
    return { seeders: c!.complete, leechers: c!.incomplete, completed: c!.downloaded };
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** What the allow check said (maybe later); a failing check is TRACKER_UNAVAILABLE. */
  private async verdict(verdict: boolean | Promise<boolean>): Promise<boolean> {
    try {
      return await verdict;
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function notAllowed(infoHash: Buffer, why?: string): SeedcastError {
  return new SeedcastError(
    'TRACKER_NOT_ALLOWED',
    `${infoHash.toString('hex')}${why ? ` (grace: ${why})` : ''}`,
  );
}

function unavailable(err: unknown): SeedcastError {
  if (isSeedcastError(err)) return err;
  return new SeedcastError('TRACKER_UNAVAILABLE', (err as Error)?.message, { cause: err });
}

/** The request with its own copies of the buffers a transport may reuse. */
function detached(req: AnnounceRequest): AnnounceRequest {
  return {
    ...req,
    infoHash: Buffer.from(req.infoHash),
    peerId: Buffer.from(req.peerId),
    ip: Buffer.from(req.ip),
  };
}

const EMPTY = Buffer.alloc(0);

/** What a client hears while its torrent is tracked only for the grace window. */
export const PROVISIONAL_WARNING = 'torrent not published here yet: tracked without peers for now';
