/**
 * The WebSocket tracker client of the WebTorrent protocol (what `bittorrent-tracker`'s browser client
 * speaks): JSON text frames over one WebSocket.
 * - announce: `{action:'announce', info_hash, peer_id, numwant, uploaded, downloaded, left, event?,
 *   offers:[{offer:{type:'offer',sdp}, offer_id}]}`, each offer an `RTCPeerConnection` with one data
 *   channel, non-trickle (every ICE candidate in the SDP); binary ids are 20-char latin1 strings.
 * - a relayed offer `{offer, offer_id, peer_id}` is answered with `{action:'announce', info_hash,
 *   peer_id, to_peer_id, answer:{type:'answer',sdp}, offer_id}`; a relayed answer `{answer, offer_id,
 *   peer_id}` completes one of our offers.
 * Re-announces on the tracker's interval (sooner while we have few peers), reconnects with backoff,
 * closes unanswered offers after 50 s, and says `stopped` when stopped (the page's `pagehide`).
 */

export interface TrackerClientOptions {
  url: string;
  infoHash: Uint8Array;
  peerId: Uint8Array;
  offers?: number;
  /** `RTCConfiguration.iceServers` (the site's STUN servers), empty for host candidates only. */
  iceServers?: RTCIceServer[];
  stats(): { uploaded: number; downloaded: number; left: number };
  /** Do we want more peers (and is this one new to us)? */
  wants(remotePeerId?: string): boolean;
  /** A data channel to a peer is open. */
  onChannel(channel: RTCDataChannel, connection: RTCPeerConnection, remotePeerId: string): void;
  onWarning?(message: string): void;
}

const OFFER_TTL_MS = 50_000;
const GATHER_TIMEOUT_MS = 5_000;

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function randomId(): string {
  return latin1(crypto.getRandomValues(new Uint8Array(20)));
}

/** Resolves once ICE gathering is complete (or after a timeout), with the local SDP. */
async function gathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const done = () => {
        if (pc.iceGatheringState === 'complete') finish();
      };
      const timer = setTimeout(() => finish(), GATHER_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', done);
        resolve();
      };
      pc.addEventListener('icegatheringstatechange', done);
    });
  }
  return pc.localDescription?.sdp ?? '';
}

interface Offer {
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
  timer: ReturnType<typeof setTimeout>;
}

export class TrackerClient {
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, Offer>();
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private intervalMs = 30_000;
  private backoffMs = 1_000;
  private stopped = false;
  private started = false;
  private readonly hash: string;
  private readonly me: string;

  constructor(private readonly options: TrackerClientOptions) {
    this.hash = latin1(options.infoHash);
    this.me = latin1(options.peerId);
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url);
    } catch (err) {
      this.options.onWarning?.(`tracker ${this.options.url}: ${String(err)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.backoffMs = 1_000;
      void this.announce(this.started ? undefined : 'started');
      this.started = true;
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string' || event.data.length > 64 * 1024) return;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(event.data) as Record<string, unknown>;
      } catch {
        return;
      }
      void this.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = undefined;
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
    };
    socket.onerror = () => socket.close();
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Announces, with fresh offers when we want peers; schedules the next announce. */
  async announce(event?: 'started' | 'completed'): Promise<void> {
    clearTimeout(this.announceTimer);
    const want = this.options.wants();
    const offers = want ? await this.makeOffers(this.options.offers ?? 5) : [];
    if (this.stopped) return;
    this.send({
      action: 'announce',
      info_hash: this.hash,
      peer_id: this.me,
      numwant: offers.length,
      ...this.options.stats(),
      ...(event ? { event } : {}),
      ...(offers.length > 0 ? { offers } : {}),
    });
    const next = want ? Math.min(this.intervalMs, 15_000) : this.intervalMs;
    this.announceTimer = setTimeout(() => void this.announce(), next);
  }

  private async makeOffers(
    n: number,
  ): Promise<Array<{ offer: RTCSessionDescriptionInit; offer_id: string }>> {
    const made = await Promise.all(
      Array.from({ length: n }, async () => {
        const pc = new RTCPeerConnection({ iceServers: this.options.iceServers ?? [] });
        const channel = pc.createDataChannel('webtorrent');
        try {
          await pc.setLocalDescription(await pc.createOffer());
          const sdp = await gathered(pc);
          const id = randomId();
          const timer = setTimeout(() => this.dropOffer(id), OFFER_TTL_MS);
          this.pending.set(id, { pc, channel, timer });
          return { offer: { type: 'offer' as const, sdp }, offer_id: id };
        } catch (err) {
          pc.close();
          this.options.onWarning?.(`offer: ${String(err)}`);
          return undefined;
        }
      }),
    );
    return made.filter((o) => o !== undefined);
  }

  private dropOffer(id: string): void {
    const offer = this.pending.get(id);
    if (!offer) return;
    this.pending.delete(id);
    clearTimeout(offer.timer);
    offer.pc.close();
  }

  private async onMessage(m: Record<string, unknown>): Promise<void> {
    if (m.info_hash !== undefined && m.info_hash !== this.hash) return;
    if (typeof m['failure reason'] === 'string') {
      this.options.onWarning?.(`tracker: ${m['failure reason']}`);
      return;
    }
    if (typeof m.interval === 'number' && m.interval > 0) {
      this.intervalMs = Math.max(15_000, Math.min(m.interval * 1000, 300_000));
    }
    const peer = typeof m.peer_id === 'string' && m.peer_id.length === 20 ? m.peer_id : undefined;
    const offerId = typeof m.offer_id === 'string' && m.offer_id.length === 20 ? m.offer_id : undefined;
    if (!peer || !offerId || peer === this.me) return;
    const sdpOf = (x: unknown) =>
      typeof x === 'object' && x !== null && typeof (x as { sdp?: unknown }).sdp === 'string'
        ? (x as { sdp: string }).sdp
        : undefined;
    const answer = sdpOf(m.answer);
    if (answer !== undefined) {
      const offer = this.pending.get(offerId);
      if (!offer) return;
      this.pending.delete(offerId);
      clearTimeout(offer.timer);
      if (!this.options.wants(peer)) {
        offer.pc.close();
        return;
      }
      this.whenOpen(offer.channel, offer.pc, peer);
      await offer.pc.setRemoteDescription({ type: 'answer', sdp: answer }).catch(() => offer.pc.close());
      return;
    }
    const sdp = sdpOf(m.offer);
    if (sdp === undefined || !this.options.wants(peer)) return;
    const pc = new RTCPeerConnection({ iceServers: this.options.iceServers ?? [] });
    pc.ondatachannel = (event) => this.whenOpen(event.channel, pc, peer);
    const timer = setTimeout(() => {
      if (pc.connectionState !== 'connected') pc.close();
    }, OFFER_TTL_MS);
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      const local = await gathered(pc);
      if (this.stopped) throw new Error('stopped');
      this.send({
        action: 'announce',
        info_hash: this.hash,
        peer_id: this.me,
        to_peer_id: peer,
        answer: { type: 'answer', sdp: local },
        offer_id: offerId,
      });
    } catch (err) {
      clearTimeout(timer);
      pc.close();
      this.options.onWarning?.(`answer: ${String(err)}`);
    }
  }

  private whenOpen(channel: RTCDataChannel, pc: RTCPeerConnection, peer: string): void {
    channel.binaryType = 'arraybuffer';
    const open = () => this.options.onChannel(channel, pc, peer);
    if (channel.readyState === 'open') open();
    else channel.addEventListener('open', open, { once: true });
  }

  /** Says `stopped` to the tracker and closes everything of ours that is not a peer yet. */
  stop(): void {
    if (this.stopped) return;
    this.send({
      action: 'announce',
      info_hash: this.hash,
      peer_id: this.me,
      event: 'stopped',
      numwant: 0,
      ...this.options.stats(),
    });
    this.stopped = true;
    clearTimeout(this.announceTimer);
    clearTimeout(this.reconnectTimer);
    for (const id of [...this.pending.keys()]) this.dropOffer(id);
    this.socket?.close();
    this.socket = undefined;
  }
}
