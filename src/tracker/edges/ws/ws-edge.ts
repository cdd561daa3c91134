/**
 * The WebSocket tracker edge (the WebTorrent tracker protocol): takes HTTP upgrade requests handed
 * over by the site (`fastify-plugin.ts`) or the standalone server (`http-server.ts`), reads each
 * JSON text frame into a plain request (`ws-parse.ts`), applies the service's allow-list and grace
 * window (`TrackerService.admit`), keeps the peer in the relay registry (`ws-swarms.ts`), answers
 * `{action:'announce', interval, info_hash, complete, incomplete}` (counts of every transport), and
 * relays offers to randomly chosen other peers of the swarm (never back to the sender) and answers
 * to the peer they name. The site's own peer (`WsLocalPeer`) gets one offer of each announce from a
 * peer that still needs bytes; its answer goes back as if from a WebSocket peer. With other site
 * nodes (`ws-cluster.ts`) the peers are picked from the shared swarm, frames go through Redis, and a
 * node whose own peer does not serve the torrent offers one of several offers to the other nodes'.
 *
 * A client's bad input is an answer (`{action, 'failure reason', info_hash?}`), junk closes the
 * socket (binary frames: 1003; text that is not JSON, or a client ignoring the rate limit: 1008;
 * frames over `maxPayload`: 1009 by `ws`; invalid UTF-8: 1007 by `ws`), and nothing a client sends
 * can make this throw. Limits (`WS_LIMITS`): 64 KiB per frame, 20 messages a second per socket
 * (bursts of 60), 300 s without a message closes the socket and forgets its peers, 16,384 sockets
 * in all and 64 from one address (IPv6: one /64), 1 MiB of unsent frames per socket (beyond it
 * frames to that socket are dropped), at most 32 offers waiting for the local peer's answer.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { ERRORS, isSeedcastError } from '../../../errors.js';
import { silentLog, type TrackerLog } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import { ipBytes } from '../address.js';
import type { WsCluster } from './ws-cluster.js';
import { WS_LIMITS, type WsLimits } from './ws-limits.js';
import { askLocalPeer, type LocalOffer } from './ws-local-peer.js';
import { parseWsMessage, type WsAnnounce, type WsAnswer } from './ws-parse.js';
import { type WsLink, WsSwarms } from './ws-swarms.js';

export interface WsEdgeOptions {
  limits?: Partial<WsLimits>;
  /** `interval` sent to WebSocket clients, seconds (default 120, as bittorrent-tracker does). */
  interval?: number;
  log?: TrackerLog;
  /** Swarms shared with other site nodes (default: the service's `wsCluster`), see `ws-cluster.ts`. */
  cluster?: WsCluster;
}

interface Connection extends WsLink {
  ws: WebSocket;
  key: string;
  tokens: number;
  refilled: number;
  lastMessage: number;
}

export class WsTrackerEdge {
  readonly swarms: WsSwarms;
  private readonly wss: WebSocketServer;
  private readonly limits: WsLimits;
  private readonly interval: number;
  private readonly log: TrackerLog;
  private readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private localPending = 0;
  private readonly cluster: WsCluster | undefined;

  constructor(
    private readonly service: TrackerService,
    options: WsEdgeOptions = {},
  ) {
    this.limits = { ...WS_LIMITS, ...options.limits };
    this.limits.maxScrape = Math.min(this.limits.maxScrape, service.maxScrape);
    this.interval = options.interval ?? 120;
    this.log = options.log ?? silentLog;
    this.swarms = new WsSwarms(this.limits);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const cluster = options.cluster ?? service.wsCluster;
    this.cluster = cluster;
    // With other nodes, counts and peers are the shared swarm's; frames for this node's sockets arrive.
    if (cluster) {
      service.countAlso((infoHash) => cluster.counts(infoHash));
      cluster.onDeliver((infoHash, peerId, text) => this.swarms.peer(infoHash, peerId)?.link.send(text));
      cluster.onSiteOffer((offer, node) => {
        const local = this.service.wsLocalPeer;
        if (!local?.serves(offer.infoHash) || this.localPending >= this.limits.maxLocalPending) return;
        this.askLocal(offer, (text) =>
          this.shared(cluster.deliver(node, offer.infoHash, offer.fromPeerId, text)),
        );
      });
    } else service.countAlso((infoHash) => this.swarms.counts(infoHash));
    const sweepMs = Math.min(30_000, (this.limits.idleSeconds * 1000) / 2);
    this.timer = setInterval(() => this.sweep(), sweepMs);
    this.timer.unref();
  }

  /** Open WebSocket connections. */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Completes an HTTP upgrade (`head`: bytes already read after the request head) for a peer at
   * `address` (the caller applies `trustProxy`). Over the connection caps it answers 503 and closes.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    socket.on('error', () => socket.destroy());
    const key = addressKey(address);
    const n = this.perAddress.get(key) ?? 0;
    if (this.connections.size >= this.limits.maxConnections || n >= this.limits.maxPerAddress) {
      this.service.recordError('ws', new Error('too many connections'));
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // Counted before the handshake completes, so a burst of upgrades cannot pass the caps.
    this.perAddress.set(key, n + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left > 0) this.perAddress.set(key, left);
      else this.perAddress.delete(key);
    };
    socket.once('close', release);
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, address, key, release));
    } catch {
      socket.destroy();
    }
  }

  /** Closes every connection and stops the sweep. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const c of this.connections) c.ws.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private serve(ws: WebSocket, address: string, key: string, release: () => void): void {
    const now = Date.now();
    const c: Connection = {
      ws,
      key,
      address,
      joined: new Set(),
      tokens: this.limits.burst,
      refilled: now,
      lastMessage: now,
      send: (text: string) => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > this.limits.maxBuffered) return;
        ws.send(text);
      },
    };
    this.connections.add(c);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.connections.delete(c);
      for (const k of this.cluster ? c.joined : [])
        this.shared(
          this.cluster!.leave(Buffer.from(k.slice(0, 20), 'latin1'), Buffer.from(k.slice(20), 'latin1')),
        );
      this.swarms.drop(c);
      release();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.junk(c, 1003, 'binary frame (the tracker speaks JSON text)');
      if (!this.take(c)) return;
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
      this.onMessage(c, text).catch((err) => {
        this.log.warn(`ws: ${(err as Error)?.message ?? String(err)}`, { from: address });
      });
    });
  }

  /** The rate limit (a token bucket): false when the message is dropped. */
  private take(c: Connection): boolean {
    const now = Date.now();
    c.lastMessage = now;
    if (this.limits.messagesPerSecond === Number.POSITIVE_INFINITY) return true;
    c.tokens = Math.min(
      this.limits.burst,
      c.tokens + ((now - c.refilled) / 1000) * this.limits.messagesPerSecond,
    );
    c.refilled = now;
    c.tokens -= 1;
    if (c.tokens >= 0) return true;
    if (c.tokens < -this.limits.burst) {
      this.junk(c, 1008, 'rate limit ignored');
    } else {
      this.service.recordError('ws', new Error('rate limited'));
      c.send(
        JSON.stringify({ action: 'announce', 'failure reason': 'tracker: too many messages, slow down' }),
      );
    }
    return false;
  }

  private junk(c: Connection, code: number, why: string): void {
    this.service.recordError('ws', new Error(why));
    this.log.warn(`ws: closed: ${why}`, { from: c.address });
    c.ws.close(code, why.slice(0, 100));
    // A peer that does not complete the closing handshake is cut.
    setTimeout(() => c.ws.terminate(), 2_000).unref();
  }

  private async onMessage(c: Connection, text: string): Promise<void> {
    const msg = parseWsMessage(text, this.limits);
    try {
      switch (msg.kind) {
        case 'junk':
          return this.junk(c, 1008, msg.reason);
        case 'refusal':
          this.service.recordError('ws', new Error(msg.reason));
          return this.fail(c, msg.action, `tracker: ${msg.reason}`, msg.infoHash);
        case 'scrape': {
          const res = await this.service.scrape({ infoHashes: msg.infoHashes, transport: 'ws' });
          const files: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
          for (const f of res.files) files[f.infoHash.toString('latin1')] = f.counts;
          // BEP 48's flags, as bittorrent-tracker sends them.
          const flags = { min_request_interval: res.minInterval };
          return c.send(JSON.stringify({ action: 'scrape', files, flags }));
        }
        case 'answer':
          return await this.onAnswer(c, msg);
        case 'announce':
          return await this.onAnnounce(c, msg);
      }
    } catch (err) {
      this.service.recordError('ws', err);
      const reason = !isSeedcastError(err)
        ? ERRORS.INTERNAL.message
        : err.status < 500
          ? err.message
          : ERRORS[err.code].message;
      const action = msg.kind === 'scrape' ? 'scrape' : 'announce';
      const infoHash = msg.kind === 'announce' || msg.kind === 'answer' ? msg.infoHash : undefined;
      this.fail(c, action, reason, infoHash);
    }
  }

  private fail(c: Connection, action: string, reason: string, infoHash?: Buffer): void {
    c.send(
      JSON.stringify({
        action,
        'failure reason': reason,
        ...(infoHash ? { info_hash: infoHash.toString('latin1') } : {}),
      }),
    );
  }

  private async onAnnounce(c: Connection, msg: WsAnnounce): Promise<void> {
    const ip = ipBytes(c.address) ?? Buffer.alloc(4);
    const verdict = this.service.admit(msg.infoHash, ip, msg.event);
    const allowed = verdict instanceof Promise ? await verdict : verdict;
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (msg.event === 'stopped') {
      if (this.swarms.peer(msg.infoHash, msg.peerId)?.link === c) {
        this.swarms.leave(msg.infoHash, msg.peerId);
        await this.cluster?.leave(msg.infoHash, msg.peerId);
      }
    } else {
      const [seeder, completed] = [msg.left === 0, msg.event === 'completed'];
      const now = Math.floor(Date.now() / 1000);
      let refused = this.swarms.join(msg.infoHash, { peerId: msg.peerId, link: c, seeder, completed, now });
      if (!refused && this.cluster) {
        const peer = { peerId: msg.peerId, addressKey: c.key, seeder, completed };
        refused = await this.cluster.join(msg.infoHash, peer);
        if (refused) this.swarms.leave(msg.infoHash, msg.peerId);
      }
      if (refused === 'peer-id-taken') {
        this.service.recordError('ws', new Error(refused));
        return this.fail(c, 'announce', 'tracker: peer_id in use by another peer', msg.infoHash);
      }
    }
    const stats = await this.service.stats(msg.infoHash);
    const hash = msg.infoHash.toString('latin1');
    c.send(
      JSON.stringify({
        action: 'announce',
        interval: allowed ? this.interval : (this.service.provisional?.interval ?? this.interval),
        info_hash: hash,
        complete: stats.seeders,
        incomplete: stats.leechers,
      }),
    );
    if (!allowed || msg.offers.length === 0) return;
    const peerId = msg.peerId.toString('latin1');
    let offers = msg.offers;
    const local = this.service.wsLocalPeer;
    const offer: LocalOffer = { infoHash: msg.infoHash, fromPeerId: msg.peerId, ...offers[0]! };
    if (msg.left > 0 && local?.serves(msg.infoHash) && this.localPending < this.limits.maxLocalPending) {
      this.askLocal(offer, c.send);
      offers = offers.slice(1);
    } else if (msg.left > 0 && this.cluster && offers.length > 1) {
      // The item's owner node may seed it over WebRTC: its site peer gets one offer, the swarm the rest.
      this.shared(this.cluster.askSite(offer));
      offers = offers.slice(1);
    }
    const to = this.cluster
      ? await this.cluster.pick(msg.infoHash, msg.peerId, offers.length)
      : this.swarms.pick(msg.infoHash, msg.peerId, offers.length);
    to.forEach((peer, i) => {
      const o = offers[i]!;
      const text = JSON.stringify({
        action: 'announce',
        offer: { type: 'offer', sdp: o.sdp },
        offer_id: o.offerId.toString('latin1'),
        peer_id: peerId,
        info_hash: hash,
      });
      if ('link' in peer) peer.link.send(text);
      else this.shared(this.cluster!.deliver(peer.node, msg.infoHash, peer.peerId, text));
    });
  }

  /** A call to the shared swarms not waited for: its failure is logged. */
  private shared(p: Promise<unknown>): void {
    p.catch((err) => this.log.warn(`ws: shared swarms: ${(err as Error)?.message ?? String(err)}`));
  }

  /** Hands one offer to the site's own peer; `send` takes its answer back to the offering peer. */
  private askLocal(offer: LocalOffer, send: (text: string) => void): void {
    this.localPending++;
    const log = (m: string) => this.log.warn(m);
    askLocalPeer(this.service.wsLocalPeer!, offer, send, log).finally(() => this.localPending--);
  }

  private async onAnswer(c: Connection, msg: WsAnswer): Promise<void> {
    const from = this.swarms.peer(msg.infoHash, msg.peerId);
    if (from?.link !== c) {
      this.service.recordError('ws', new Error('answer from a peer not in the swarm'));
      this.fail(c, 'announce', 'tracker: announce to this swarm before answering', msg.infoHash);
      return;
    }
    from.lastSeen = Math.floor(Date.now() / 1000);
    const to = this.swarms.peer(msg.infoHash, msg.toPeerId);
    // A peer whose socket is on another node: the frame goes through that node's channel.
    const node = !to && this.cluster ? await this.cluster.find(msg.infoHash, msg.toPeerId) : undefined;
    if (!to && !node) {
      this.service.recordError('ws', new Error('answer to an unknown peer'));
      this.fail(c, 'announce', 'tracker: no peer with that to_peer_id', msg.infoHash);
      return;
    }
    const text = JSON.stringify({
      action: 'announce',
      answer: { type: 'answer', sdp: msg.sdp },
      offer_id: msg.offerId.toString('latin1'),
      peer_id: msg.peerId.toString('latin1'),
      info_hash: msg.infoHash.toString('latin1'),
    });
    if (to) to.link.send(text);
    else await this.cluster!.deliver(node!, msg.infoHash, msg.toPeerId, text);
  }

  /** Closes sockets idle too long and forgets peers that stopped announcing. */
  private sweep(): void {
    const now = Date.now();
    const idleMs = this.limits.idleSeconds * 1000;
    for (const c of this.connections) {
      if (now - c.lastMessage > idleMs) {
        c.ws.close(1000, 'idle');
        setTimeout(() => c.ws.terminate(), 2_000).unref();
      }
    }
    this.swarms.sweep(Math.floor(now / 1000) - this.limits.idleSeconds);
  }
}

/** The address a per-address cap applies to: an IPv4 address, or the /64 of an IPv6 address. */
function addressKey(address: string): string {
  const ip = ipBytes(address);
  if (!ip) return address;
  return ip.length === 16 ? ip.subarray(0, 8).toString('hex') : ip.toString('hex');
}
