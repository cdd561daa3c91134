/**
 * Our DHT node (BEP 5 over IPv4, with BEP 42 node ids), a small interface over the `bittorrent-dht`
 * library: `start(port)`, `lookup(infoHash)` -> peers, `announce(infoHash, port)`, `nodes()` for
 * persistence, `close()`. Peers found by lookups and peers that announce to us are also emitted as
 * `peer` events (the engine routes them to the torrent's session).
 *
 * What we add around the library (see docs/dependencies.md): the UDP socket and every rule on it
 * (`socket.ts`: strict KRPC parsing, a per-address rate limit, responses only to queries we sent,
 * the outbound policy on every node and peer address), bounded memory (the library's tables, stored
 * values and peers capped, peers expiring after 30 minutes), timeouts on each lookup and announce,
 * at most `concurrency` of them at once, bootstrap nodes resolved here (IPv4), the routing table
 * saved to `statePath` and used again on the next start, and our external address learnt from the
 * `ip` of responses (BEP 42): the node id follows BEP 42 for that address from the next start, and
 * our own peer is listed in answers about torrents we announce.
 */

import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import type DHT from 'bittorrent-dht';
import { addressRange, type OutboundPolicy } from '../net/index.js';
import { DEFAULT_BOOTSTRAP, resolveBootstrap } from './bootstrap.js';
import type { Address } from './krpc.js';
import { nodeIdFor, nodeIdMatches } from './node-id.js';
import type { RateLimitOptions } from './rate-limit.js';
import { DhtSocket, type DhtSocketStats } from './socket.js';
import { type DhtState, loadState, saveState } from './state.js';

export interface DhtOptions {
  /** `HOST:PORT` bootstrap nodes (default `DEFAULT_BOOTSTRAP`; empty: none). */
  bootstrap?: readonly string[];
  /** JSON file that keeps the routing table (and node id) across restarts. */
  statePath?: string;
  /** Nodes and peers at addresses it refuses are never contacted (named bootstrap nodes excepted). */
  policy?: OutboundPolicy;
  log?: (message: string) => void;
  rateLimit?: RateLimitOptions;
  /** One query's timeout (default 2 s); a lookup's, an announce's (default 30 s each). */
  queryTimeoutMs?: number;
  lookupTimeoutMs?: number;
  /** Lookups and announces running at once (default 4); the rest wait their turn. */
  concurrency?: number;
  /** Memory bounds of the library: lookup tables kept, stored values, stored peers (default 200, 100, 10,000). */
  maxTables?: number;
  maxValues?: number;
  maxPeers?: number;
}

interface DhtEvents {
  /** A peer for `infoHash`: found by a lookup, or announced to us. */
  peer: [infoHash: Buffer, peer: Address];
  /** The routing table got its first nodes (`generation` grew): time to announce again. */
  generation: [generation: number];
}

const PEER_MAX_AGE_MS = 30 * 60_000;
const SAVE_EVERY_MS = 10 * 60_000;
/** Distinct nodes that must agree on our address before it counts for BEP 42. */
const BEP42_VOTES = 3;

export class Dht extends EventEmitter<DhtEvents> {
  private lib: DHT | undefined;
  private socket: DhtSocket | undefined;
  private booted: Promise<void> = Promise.resolve();
  private state: DhtState = { nodes: [] };
  private readonly votes = new Map<string, Set<string>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private saveTimer: NodeJS.Timeout | undefined;
  private hadNodes = false;
  private closed = false;
  /** TCP ports we announced: our own peer (at `externalIp`) is never reported as a peer. */
  private readonly ownPorts = new Set<number>();
  /** Hosts pinged because a peer named its DHT port, and when. */
  private readonly pinged = new Map<string, number>();
  /** The UDP port bound. */
  port = 0;
  /** Our address as other nodes see it (most votes), once known. */
  externalIp: string | undefined;
  /** Grows each time the routing table gets its first node (after being empty): time to announce again. */
  generation = 0;

  constructor(private readonly options: DhtOptions = {}) {
    super();
  }

  /** Bind UDP `port` (on `host`) and start joining the DHT in the background; resolves with the port. */
  async start(port: number, host?: string): Promise<number> {
    const { statePath, log } = this.options;
    this.state = statePath ? await loadState(statePath) : { nodes: [] };
    const trusted = new Set<string>();
    const socket = new DhtSocket({
      ...(this.options.policy ? { policy: this.options.policy } : {}),
      trusted,
      ...(this.options.rateLimit ? { rateLimit: this.options.rateLimit } : {}),
      ...(log ? { log } : {}),
      onExternalAddress: (voter, address) => this.vote(voter, address.host),
    });
    this.port = await socket.listen(port, host);
    this.socket = socket;
    this.booted = this.boot(socket, trusted).catch((err: unknown) => log?.(`dht: ${(err as Error).message}`));
    if (statePath) {
      this.saveTimer = setInterval(() => void this.save(), SAVE_EVERY_MS);
      this.saveTimer.unref();
    }
    return this.port;
  }

  /** Resolve the bootstrap nodes, then start the library on our socket. */
  private async boot(socket: DhtSocket, trusted: Set<string>): Promise<void> {
    const { log } = this.options;
    const named = this.options.bootstrap !== undefined;
    const bootstrap = await resolveBootstrap(this.options.bootstrap ?? DEFAULT_BOOTSTRAP, log ? { log } : {});
    // Bootstrap nodes the operator named are contacted whatever the policy says (loopback tests, LANs).
    if (named) for (const b of bootstrap) trusted.add(`${b.host}:${b.port}`);
    if (this.closed) return;
    // Loaded here, not at import: the library costs about 0.1 s of CPU to load, which every command
    // that imports the engine or the config paid even with the DHT off (`--no-dht`).
    const { default: DhtLibrary } = await import('bittorrent-dht');
    if (this.closed) return;
    const lib = new DhtLibrary({
      nodeId: this.chooseId(),
      bootstrap: bootstrap.length > 0 ? bootstrap : false,
      socket,
      host: false,
      timeout: this.options.queryTimeoutMs ?? 2000,
      maxTables: this.options.maxTables ?? 200,
      maxValues: this.options.maxValues ?? 100,
      maxPeers: this.options.maxPeers ?? 10_000,
      maxAge: PEER_MAX_AGE_MS,
    });
    this.lib = lib;
    lib.on('error', (err: Error) => log?.(`dht: ${err.message}`));
    lib.on('warning', () => undefined);
    lib.on('node', () => {
      if (!this.hadNodes) {
        this.hadNodes = true;
        this.generation++;
        this.emit('generation', this.generation); // sleeping sessions are woken to announce
      }
    });
    // Our own entry (listed for torrents we announce once our address is known) is not a peer to dial.
    lib.on('peer', (peer: Address, infoHash: Buffer) => {
      if (!this.isSelf(peer)) this.emit('peer', infoHash, peer);
    });
    lib.on('announce', (peer: Address, infoHash: Buffer) => {
      if (!this.isSelf(peer)) this.emit('peer', infoHash, peer);
    });
    socket.emit('listening'); // bound already, before the library was there to hear it
    for (const node of this.state.nodes) lib.addNode(node); // pinged; added when they answer
  }

  private isSelf(peer: Address): boolean {
    return peer.host === this.externalIp && this.ownPorts.has(peer.port);
  }

  /** Resolves once the bootstrap nodes are resolved and the node answers queries. */
  async joined(): Promise<void> {
    await this.booted;
  }

  /** BEP 42 for the external address saved last time when it is public; else the saved id, else random. */
  private chooseId(): Buffer | undefined {
    const { id, ip } = this.state;
    if (ip && addressRange(ip) === 'unicast') return id && nodeIdMatches(id, ip) ? id : nodeIdFor(ip);
    return id;
  }

  /** A node told us our address: the address with most distinct voters is ours. */
  private vote(voter: string, ip: string): void {
    if (!isIPv4(ip)) return;
    let voters = this.votes.get(ip);
    if (!voters) {
      if (this.votes.size >= 16) return;
      voters = new Set();
      this.votes.set(ip, voters);
    }
    if (voters.size < 64) voters.add(voter);
    let best: string | undefined;
    let most = 0;
    for (const [candidate, set] of this.votes)
      if (set.size > most) {
        best = candidate;
        most = set.size;
      }
    if (best && best !== this.externalIp) {
      this.externalIp = best;
      if (this.lib) this.lib._host = best; // lists our own peer in answers about what we announce
      this.options.log?.(`dht: our address is ${best} (${most} node(s) say so)`);
    }
  }

  /** Run `fn` when fewer than `concurrency` lookups or announces are running. */
  private async queue<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= (this.options.concurrency ?? 4))
      await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** Find peers for `infoHash` (get_peers towards the closest nodes); at most `lookupTimeoutMs`. */
  async lookup(infoHash: Buffer): Promise<Address[]> {
    await this.booted;
    return this.queue(() => this.runLookup(infoHash));
  }

  private runLookup(infoHash: Buffer): Promise<Address[]> {
    const lib = this.lib;
    if (!lib || this.closed) return Promise.resolve([]);
    return new Promise((resolve) => {
      const found = new Map<string, Address>();
      const onPeer = (peer: Address, hash: Buffer) => {
        if (hash.equals(infoHash) && !this.isSelf(peer) && found.size < 1000)
          found.set(`${peer.host}:${peer.port}`, peer);
      };
      let settled = false;
      let abort: (() => void) | undefined;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        lib.off('peer', onPeer);
        abort?.();
        if (lib._rpc.nodes.count() === 0) this.hadNodes = false;
        resolve([...found.values()]);
      };
      const timer = setTimeout(finish, this.options.lookupTimeoutMs ?? 30_000);
      lib.on('peer', onPeer);
      abort = lib.lookup(infoHash, finish);
    });
  }

  /**
   * Find peers for `infoHash`, then tell the closest nodes that we have it on TCP `port`
   * (announce_peer with their tokens). Resolves with the peers found; never rejects.
   */
  async announce(infoHash: Buffer, port: number): Promise<Address[]> {
    await this.booted;
    if (this.ownPorts.size < 16) this.ownPorts.add(port);
    return this.queue(async () => {
      const peers = await this.runLookup(infoHash);
      const lib = this.lib;
      if (!lib || this.closed) return peers;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.lookupTimeoutMs ?? 30_000);
        lib.announce(infoHash, port, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return peers;
    });
  }

  /**
   * A node learnt outside the DHT (a peer's BEP 5 PORT message): pinged, and added to the routing
   * table if it answers. One ping per address every 10 minutes, at most 1,000 addresses remembered.
   */
  addNode(node: Address): void {
    const lib = this.lib;
    if (!lib || this.closed || !isIPv4(node.host) || node.port <= 0 || node.port > 65535) return;
    const now = Date.now();
    const last = this.pinged.get(node.host);
    if (last !== undefined && now - last < 10 * 60_000) return;
    if (this.pinged.size >= 1000) this.pinged.clear();
    this.pinged.set(node.host, now);
    lib.addNode({ host: node.host, port: node.port });
  }

  /** The nodes of the routing table (what `save` keeps). */
  nodes(): Address[] {
    return (this.lib?.toJSON().nodes ?? [])
      .filter((n) => isIPv4(n.host))
      .map((n) => ({ host: n.host, port: n.port }));
  }

  /** Our node id (once joined). */
  get nodeId(): Buffer | undefined {
    return this.lib?.nodeId;
  }

  /** Nodes in the routing table now. */
  get nodeCount(): number {
    return this.lib?._rpc.nodes.count() ?? 0;
  }

  /** What the socket dropped so far. */
  get stats(): DhtSocketStats | undefined {
    return this.socket?.stats;
  }

  /** Save the routing table, node id and external address to `statePath` (errors only logged). */
  async save(): Promise<void> {
    const { statePath, log } = this.options;
    if (!statePath || !this.lib) return;
    const nodes = this.nodes();
    if (nodes.length === 0 && this.state.nodes.length === 0) return; // nothing learnt: write nothing
    const ip = this.externalIp;
    const confirmed = ip && (this.votes.get(ip)?.size ?? 0) >= BEP42_VOTES ? ip : this.state.ip;
    this.state = {
      id: this.lib.nodeId,
      ...(confirmed ? { ip: confirmed } : {}),
      nodes: nodes.length > 0 ? nodes : this.state.nodes, // offline: keep what we knew
    };
    await saveState(statePath, this.state).catch((err: Error) =>
      log?.(`dht: saving ${statePath}: ${err.message}`),
    );
  }

  /** Save the state and close the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.booted;
    await this.save();
    this.closed = true;
    clearInterval(this.saveTimer);
    for (const wake of this.waiting.splice(0)) wake();
    const lib = this.lib;
    if (lib) await new Promise<void>((resolve) => lib.destroy(() => resolve()));
    else this.socket?.close();
  }
}
