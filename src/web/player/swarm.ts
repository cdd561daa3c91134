/**
 * One torrent's swarm in the page: the tracker clients (`tracker-client.ts`), the peers over data
 * channels (`peer.ts`, `wire.ts`), piece selection (`scheduler.ts`), the verified pieces
 * (`pieces.ts`), the web-seed fallback (`webseed.ts`), serving other viewers (`upload.ts`) and the
 * counters (`stats.ts`). The stream asks it for pieces with `piece(index)`; a timer (every 100 ms)
 * fills the peers' pipelines and starts web-seed fetches that are due.
 */

import type { Torrent } from './description.js';
import { Peer } from './peer.js';
import { type Layout, PieceStore, verifyPiece } from './pieces.js';
import { Scheduler } from './scheduler.js';
import { Stats } from './stats.js';
import { TrackerClient } from './tracker-client.js';
import { Uploader } from './upload.js';
import { fetchPiece } from './webseed.js';
import type { WireMessage } from './wire.js';

export interface SwarmOptions {
  /** Use the web seed for urgent pieces (off in tests that prove bytes came from peers). */
  webSeed?: boolean;
  maxPeers?: number;
  memoryCap?: number;
  onWarning?(message: string): void;
}

export class Swarm {
  readonly stats = new Stats();
  readonly store: PieceStore;
  readonly peerId: Uint8Array;
  private readonly scheduler: Scheduler;
  private readonly uploader: Uploader;
  private readonly peers = new Map<Peer, RTCPeerConnection>();
  private readonly trackers: TrackerClient[] = [];
  private readonly fetching = new Map<number, AbortController>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private rechokeTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private nextPeer = 0;
  private closedBytesOut = 0;

  constructor(
    readonly torrent: Torrent,
    private readonly options: SwarmOptions = {},
  ) {
    const layout: Layout = torrent;
    this.store = new PieceStore(layout, options.memoryCap);
    this.scheduler = new Scheduler(layout, (i) => this.store.holds(i));
    this.uploader = new Uploader(layout, this.store);
    const prefix = new TextEncoder().encode('-SC0100-');
    this.peerId = new Uint8Array(20);
    this.peerId.set(prefix);
    this.peerId.set(crypto.getRandomValues(new Uint8Array(12)), 8);
  }

  start(): void {
    for (const url of this.torrent.trackers) {
      const client = new TrackerClient({
        url,
        infoHash: this.torrent.infoHash,
        peerId: this.peerId,
        iceServers: this.torrent.iceServers,
        stats: () => ({
          uploaded: this.stats.toPeers,
          downloaded: this.stats.fromPeers + this.stats.fromWebSeed,
          left: this.left(),
        }),
        // Offers only while pieces are missing: a complete viewer still answers the offers of others.
        wants: (remote) => (remote === undefined ? this.left() > 0 && this.wants() : this.wants(remote)),
        onChannel: (channel, pc, remote) => this.onChannel(channel, pc, remote),
        ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
      });
      this.trackers.push(client);
      client.start();
    }
    this.timer = setInterval(() => this.tick(), 100);
    this.rechokeTimer = setInterval(() => this.uploader.rechoke(this.peers.keys()), 10_000);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.rechokeTimer);
    for (const t of this.trackers) t.stop();
    for (const [peer, pc] of this.peers) {
      peer.close('stopped');
      pc.close();
    }
    for (const c of this.fetching.values()) c.abort();
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Piece `index`, once verified (the reader waits; its wait sets the focus). */
  async piece(index: number): Promise<Uint8Array> {
    for (;;) {
      const data = this.store.get(index);
      if (data) return data;
      this.scheduler.setFocus(index, Date.now());
      this.tick();
      await this.store.wait(index);
    }
  }

  private left(): number {
    let held = 0;
    for (let i = 0; i < this.scheduler.count; i++) if (this.store.have.has(i)) held++;
    return Math.max(0, this.torrent.length - held * this.torrent.pieceLength);
  }

  private wants(remote?: string): boolean {
    if (this.stopped || this.peers.size >= (this.options.maxPeers ?? 20)) return false;
    if (remote === undefined) return true;
    for (const p of this.peers.keys()) if (p.remoteId === remote) return false;
    return true;
  }

  private onChannel(channel: RTCDataChannel, pc: RTCPeerConnection, remote: string): void {
    if (!this.wants(remote)) {
      pc.close();
      return;
    }
    const peer = new Peer(
      `p${this.nextPeer++}`,
      channel,
      this.torrent.infoHash,
      {
        message: (p, m) => this.onMessage(p, m),
        close: (p) => {
          this.peers.delete(p);
          this.closedBytesOut += p.bytesOut;
          this.scheduler.onPeerIdle(p.id);
          this.uploader.onClose(p);
          pc.close();
          this.stats.peers = this.peers.size;
        },
      },
      this.scheduler.count,
    );
    peer.remoteId = remote;
    this.peers.set(peer, pc);
    this.stats.peers = this.peers.size;
    channel.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) peer.receive(new Uint8Array(event.data));
      else peer.close('text on the wire');
    };
    channel.onclose = () => peer.close('channel closed');
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') peer.close('connection lost');
    });
    peer.start(this.peerId, this.store.have);
  }

  private onMessage(peer: Peer, m: WireMessage): void {
    switch (m.type) {
      case 'bitfield':
      case 'have':
        this.updateInterest(peer);
        break;
      case 'unchoke':
        this.fill(peer);
        break;
      case 'choke':
        this.scheduler.onPeerIdle(peer.id);
        break;
      case 'interested':
      case 'not-interested':
        this.uploader.onInterest(peer, this.peers.keys());
        break;
      case 'request':
        this.uploader.onRequest(peer, m);
        break;
      case 'cancel':
        this.uploader.onCancel(peer, m);
        break;
      case 'piece': {
        const assembly = this.scheduler.onBlock(peer.id, m.index, m.begin, m.block);
        if (assembly) void this.complete(m.index, assembly.data, 'peer', peer);
        this.fill(peer);
        break;
      }
      default:
        break;
    }
  }

  private async complete(
    index: number,
    data: Uint8Array,
    from: 'peer' | 'webseed',
    peer?: Peer,
  ): Promise<void> {
    if (this.store.holds(index)) return;
    if (!(await verifyPiece(this.torrent, index, data))) {
      this.scheduler.onBadPiece(index);
      peer?.close(`piece ${index} failed its hash`);
      return;
    }
    if (this.store.holds(index) || this.stopped) return;
    this.store.put(index, data, this.scheduler.focus);
    this.scheduler.onStored(index);
    this.fetching.get(index)?.abort();
    this.fetching.delete(index);
    if (from === 'peer') this.stats.fromPeers += data.length;
    else this.stats.fromWebSeed += data.length;
    for (const p of this.peers.keys()) {
      p.send({ type: 'have', index });
      this.updateInterest(p);
    }
    if (this.left() === 0) for (const t of this.trackers) void t.announce('completed');
  }

  private updateInterest(peer: Peer): void {
    let wanted = false;
    for (let i = 0; i < this.scheduler.count && !wanted; i++)
      wanted = peer.has.has(i) && !this.store.holds(i);
    if (wanted && !peer.amInterested) peer.send({ type: 'interested' });
    else if (!wanted && peer.amInterested) peer.send({ type: 'not-interested' });
    if (wanted) this.fill(peer);
  }

  private fill(peer: Peer): void {
    if (peer.closed) return;
    for (const r of this.scheduler.requestsFor(peer, Date.now())) peer.send({ type: 'request', ...r });
  }

  private tick(): void {
    if (this.stopped) return;
    this.stats.toPeers = [...this.peers.keys()].reduce((n, p) => n + p.bytesOut, this.closedBytesOut);
    for (const p of this.peers.keys()) this.fill(p);
    if (this.options.webSeed === false) return;
    for (const index of this.scheduler.webSeedDue([...this.peers.keys()], Date.now())) {
      const controller = new AbortController();
      this.fetching.set(index, controller);
      fetchPiece(this.torrent, index, controller.signal).then(
        (data) => this.complete(index, data, 'webseed'),
        (err: unknown) => {
          this.fetching.delete(index);
          if (!controller.signal.aborted) {
            this.scheduler.onWebSeedFailed(index, Date.now());
            this.options.onWarning?.(`web seed, piece ${index}: ${String(err)}`);
          }
        },
      );
    }
  }
}
