/**
 * WebRTC as a transport for the peer wire protocol (the WebTorrent protocol: BEP 3 over an
 * `RTCDataChannel`, RFC 8831, signalled with non-trickle SDP offers and answers, RFC 8866/8829, that a
 * WebSocket tracker relays).
 *
 * `@roamhq/wrtc` is an optional dependency, loaded lazily (`loadWebRtc`): where it is missing or its
 * native binary does not load, WebRTC is off and `webRtcAvailability()` says why; nothing else changes.
 *
 * `WebRtcTransport.answerOffer(sdp)` makes an `RTCPeerConnection` (no STUN or TURN servers unless
 * configured), sets the remote offer, creates the answer, waits for ICE gathering to complete (at most
 * `gatherTimeoutMs`: the answer carries every candidate, as WebTorrent's non-trickle signalling needs)
 * and returns the answer SDP. The offerer's data channel, once open, is handed to `onStream` as a
 * `Duplex` (`DataChannelStream`); a channel that does not open within `openTimeoutMs` closes the
 * connection. Connections (open or being set up) are bounded by `maxConnections`, offers being
 * answered by `maxPending`. `createOffer()` is the other side (tests, and a Node client later).
 */

import type { Duplex } from 'node:stream';
import { SeedcastError } from '../../errors.js';
import { type DataChannelLike, DataChannelStream } from './datachannel-stream.js';

interface SessionDescriptionLike {
  type: string;
  sdp: string;
}

/** The part of `RTCPeerConnection` used here (structural; `@roamhq/wrtc` fits). */
export interface PeerConnectionLike {
  readonly localDescription: SessionDescriptionLike | null;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  onicegatheringstatechange: ((event: unknown) => void) | null;
  onicecandidate: ((event: { candidate: unknown }) => void) | null;
  ondatachannel: ((event: { channel: DataChannelLike }) => void) | null;
  onconnectionstatechange: ((event: unknown) => void) | null;
  createOffer(): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  createDataChannel(label: string): DataChannelLike;
  getStats(): Promise<{ forEach(fn: (report: Record<string, unknown>) => void): void }>;
  close(): void;
}

/** `RTCConfiguration`'s ICE servers (STUN/TURN), the only part used. */
export interface RtcConfig {
  iceServers?: { urls: string | string[]; username?: string; credential?: string }[];
}

export interface WebRtcModule {
  RTCPeerConnection: new (config?: RtcConfig) => PeerConnectionLike;
}

export type WebRtcAvailability = { on: true; module: WebRtcModule } | { on: false; reason: string };

const PACKAGE = '@roamhq/wrtc';
const loading = new Map<string, Promise<WebRtcAvailability>>();

/**
 * Loads the WebRTC implementation once (`specifier` is for tests): `{ on: true, module }`, or
 * `{ on: false, reason }` when the package is missing or fails to load (a missing native binary).
 */
export function webRtcAvailability(specifier = PACKAGE): Promise<WebRtcAvailability> {
  let result = loading.get(specifier);
  if (!result) {
    result = import(specifier).then(
      (m: { default?: WebRtcModule } & Partial<WebRtcModule>) => {
        const module = (m.RTCPeerConnection ? m : m.default) as WebRtcModule | undefined;
        if (typeof module?.RTCPeerConnection !== 'function')
          return { on: false, reason: `${specifier} has no RTCPeerConnection` };
        return { on: true, module };
      },
      (err: NodeJS.ErrnoException) => {
        const missing = err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`'${specifier}'`);
        return {
          on: false,
          reason: missing
            ? `the optional package ${specifier} is not installed`
            : `${specifier} failed to load: ${String(err.message).split('\n')[0]}`,
        };
      },
    );
    loading.set(specifier, result);
  }
  return result;
}

export interface WebRtcOptions {
  /** ICE servers (default none: host candidates only, enough for a public server). */
  config?: RtcConfig;
  /** Most connections at once, open or being set up (default 200). */
  maxConnections?: number;
  /** Most offers being answered at once (default 20). */
  maxPending?: number;
  /** Longest wait for ICE gathering before answering with the candidates found (default 5 s). */
  gatherTimeoutMs?: number;
  /** Longest wait for the data channel to open after answering (default 30 s). */
  openTimeoutMs?: number;
  /** Data channel stream options (message size, buffer limit). */
  stream?: { maxMessage?: number; bufferLimit?: number };
  log?: (message: string) => void;
}

/** Where a WebRTC peer is: its address from the selected ICE candidate pair, when known. */
export interface WebRtcRemote {
  host: string;
  port: number;
}

export interface AnswerOptions {
  /** The data channel opened: the stream to speak BitTorrent over. */
  onStream: (stream: Duplex, remote: WebRtcRemote) => void;
}

export class WebRtcTransport {
  /** Each connection, with its stream once the channel opened. */
  private readonly connections = new Map<PeerConnectionLike, DataChannelStream | undefined>();
  private pending = 0;
  private closed = false;

  constructor(
    private readonly module: WebRtcModule,
    private readonly options: WebRtcOptions = {},
  ) {}

  /** Connections open or being set up. */
  get size(): number {
    return this.connections.size;
  }

  /** Answer a remote offer (non-trickle): resolves the answer SDP; `onStream` gets the channel once open. */
  async answerOffer(sdp: string, options: AnswerOptions): Promise<string> {
    if (this.closed) throw new SeedcastError('WEBRTC_UNAVAILABLE', 'the transport is closed');
    if (this.connections.size >= (this.options.maxConnections ?? 200))
      throw new SeedcastError('WEBRTC_LIMIT', `${this.connections.size} connections`);
    if (this.pending >= (this.options.maxPending ?? 20))
      throw new SeedcastError('WEBRTC_LIMIT', `${this.pending} offers being answered`);
    if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > 64 * 1024)
      throw new SeedcastError('WEBRTC_SIGNAL', 'offer SDP missing or too long');
    const pc = this.track(new this.module.RTCPeerConnection(this.options.config ?? { iceServers: [] }));
    this.pending++;
    try {
      const timer = setTimeout(() => {
        if (this.connections.get(pc) === undefined) this.drop(pc, 'no data channel in time');
      }, this.options.openTimeoutMs ?? 30_000);
      timer.unref();
      pc.ondatachannel = ({ channel }) => {
        pc.ondatachannel = null; // one channel per connection, as WebTorrent opens
        this.whenOpen(
          pc,
          channel,
          (stream, remote) => {
            clearTimeout(timer);
            options.onStream(stream, remote);
          },
          sdp,
        );
      };
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await this.gathered(pc);
      const answer = pc.localDescription?.sdp;
      if (!answer) throw new Error('no local description');
      return answer;
    } catch (err) {
      this.drop(pc);
      if (err instanceof SeedcastError) throw err;
      throw new SeedcastError('WEBRTC_SIGNAL', (err as Error).message);
    } finally {
      this.pending--;
    }
  }

  /**
   * The offering side: a connection with one data channel; `accept(answerSdp)` resolves the channel
   * as a stream once it opens.
   */
  async createOffer(): Promise<{ sdp: string; accept(answer: string): Promise<Duplex> }> {
    if (this.connections.size >= (this.options.maxConnections ?? 200))
      throw new SeedcastError('WEBRTC_LIMIT', `${this.connections.size} connections`);
    const pc = this.track(new this.module.RTCPeerConnection(this.options.config ?? { iceServers: [] }));
    const channel = pc.createDataChannel('seedcast');
    await pc.setLocalDescription(await pc.createOffer());
    await this.gathered(pc);
    const sdp = pc.localDescription?.sdp ?? '';
    return {
      sdp,
      accept: async (answer) => {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer });
        return new Promise<Duplex>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.drop(pc, 'no data channel in time');
            reject(new SeedcastError('WEBRTC_TIMEOUT'));
          }, this.options.openTimeoutMs ?? 30_000);
          timer.unref();
          this.whenOpen(
            pc,
            channel,
            (stream) => {
              clearTimeout(timer);
              resolve(stream);
            },
            answer,
          );
        });
      },
    };
  }

  /** Close every connection; later offers are refused. */
  close(): void {
    this.closed = true;
    for (const pc of [...this.connections.keys()]) this.drop(pc);
  }

  private track(pc: PeerConnectionLike): PeerConnectionLike {
    this.connections.set(pc, undefined);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.drop(pc);
    };
    return pc;
  }

  private drop(pc: PeerConnectionLike, why?: string): void {
    if (!this.connections.has(pc)) return;
    const stream = this.connections.get(pc);
    this.connections.delete(pc);
    stream?.destroy();
    if (why) this.options.log?.(`webrtc: ${why}`);
    pc.onconnectionstatechange = null;
    pc.ondatachannel = null;
    pc.onicecandidate = null;
    pc.onicegatheringstatechange = null;
    try {
      pc.close();
    } catch {
      // already closed
    }
  }

  /** Resolves once ICE gathering is complete, or after `gatherTimeoutMs` with what was gathered. */
  private gathered(pc: PeerConnectionLike): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.onicegatheringstatechange = null;
        pc.onicecandidate = null;
        resolve();
      };
      const timer = setTimeout(done, this.options.gatherTimeoutMs ?? 5000);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      pc.onicecandidate = (event) => {
        if (!event.candidate) done();
      };
    });
  }

  /** Hand `channel` to `onStream` as a stream once open; closing the stream closes `pc`. */
  private whenOpen(
    pc: PeerConnectionLike,
    channel: DataChannelLike,
    onStream: (stream: Duplex, remote: WebRtcRemote) => void,
    remoteSdp: string,
  ): void {
    const ready = async () => {
      if (!this.connections.has(pc)) {
        channel.close();
        return;
      }
      const stream = new DataChannelStream(channel, {
        maxMessage: maxMessageSize(remoteSdp),
        ...this.options.stream,
        onClose: () => this.drop(pc),
      });
      this.connections.set(pc, stream);
      const remote = await remoteOf(pc);
      if (stream.destroyed) return;
      onStream(stream, remote);
    };
    if (channel.readyState === 'open') void ready();
    else
      channel.onopen = () => {
        channel.onopen = null;
        void ready();
      };
  }
}

/**
 * The largest message the remote side takes (`a=max-message-size`, RFC 8841: 64 KiB when absent,
 * 0 for no limit), capped at 256 KiB. A BitTorrent piece message (13-byte header + 16 KiB block) then
 * leaves as one message, as WebTorrent sends it, instead of a 16 KiB one and a 13-byte one.
 */
export function maxMessageSize(sdp: string): number {
  const m = /^a=max-message-size:(\d+)/m.exec(sdp);
  const size = m ? Number(m[1]) : 65536;
  return size === 0 ? 262144 : Math.max(16384, Math.min(size, 262144));
}

/** The remote address of the selected candidate pair (`getStats`), or `webrtc:0` when unknown. */
async function remoteOf(pc: PeerConnectionLike): Promise<WebRtcRemote> {
  try {
    const reports = new Map<string, Record<string, unknown>>();
    const stats = await pc.getStats();
    stats.forEach((r) => {
      reports.set(String(r.id), r);
    });
    for (const r of reports.values()) {
      if (r.type !== 'candidate-pair' || r.state !== 'succeeded' || r.nominated === false) continue;
      const remote = reports.get(String(r.remoteCandidateId));
      const host = remote?.address ?? remote?.ip;
      if (typeof host === 'string' && host)
        return { host, port: typeof remote?.port === 'number' ? remote.port : 0 };
    }
  } catch {
    // no statistics: the address stays unknown
  }
  return { host: 'webrtc', port: 0 };
}
