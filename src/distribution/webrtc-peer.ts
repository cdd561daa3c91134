/**
 * The site's seeding peer as a WebRTC peer (the WebTorrent protocol: BEP 3 over a data channel,
 * signalled by the WebSocket tracker): the tracker hands it offers from peers that still need bytes
 * in swarms it serves (`WsLocalPeer`), it answers each with `WebRtcTransport.answerOffer`, and the
 * data channel, once open, becomes one more connection of the engine (`Engine.acceptStream`), served
 * by the same code as TCP peers (choking, super-seeding, upload accounting per transport).
 *
 * `startWebRtcPeer` loads `@roamhq/wrtc` (optional): without it there is no peer, and `status` says why.
 */

import type { Engine, WebRtcOptions } from '../engine/index.js';
import { WebRtcTransport, webRtcAvailability } from '../engine/index.js';
import type { WsLocalPeer } from '../tracker/index.js';

/** What the peer needs to know of the site's seeding: is this v1 info hash one it seeds now? */
export interface SeedsInfoHash {
  seedsInfoHash(infoHash: Buffer): boolean;
}

export class WebRtcPeer implements WsLocalPeer {
  readonly peerId: Buffer;
  private lastLogAt = 0;

  constructor(
    private readonly engine: Engine,
    private readonly seeding: SeedsInfoHash,
    readonly transport: WebRtcTransport,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.peerId = engine.peerId;
  }

  serves(infoHash: Buffer): boolean {
    return this.seeding.seedsInfoHash(infoHash);
  }

  async answer(offer: {
    infoHash: Buffer;
    fromPeerId: Buffer;
    offerId: Buffer;
    sdp: string;
  }): Promise<string | undefined> {
    if (!this.serves(offer.infoHash)) return undefined;
    try {
      return await this.transport.answerOffer(offer.sdp, {
        onStream: (stream, remote) => this.engine.acceptStream(stream, { ...remote, transport: 'webrtc' }),
      });
    } catch (err) {
      // Declined (at the connection limit, a bad offer): the peer finds others in the swarm. Logged
      // at most every 10 s: a crowd of browsers at the limit is not a log line each.
      if (Date.now() - this.lastLogAt > 10_000) {
        this.lastLogAt = Date.now();
        this.log(`webrtc: offer for ${offer.infoHash.toString('hex')} declined: ${(err as Error).message}`);
      }
      return undefined;
    }
  }

  /** Close every WebRTC connection (the engine's sessions see their peers go). */
  close(): void {
    this.transport.close();
  }
}

export interface WebRtcPeerStart {
  /** The peer, when WebRTC is available. */
  peer: WebRtcPeer | undefined;
  /** One line for the operator: `webrtc: on ...` or `webrtc: off: <why>`. */
  status: string;
}

/** Load WebRTC (if installed) and make the site's WebRTC peer; never throws for a missing package. */
export async function startWebRtcPeer(
  parts: { engine: Engine; seeding: SeedsInfoHash; log?: (message: string) => void },
  options: WebRtcOptions & { enabled?: boolean; specifier?: string } = {},
): Promise<WebRtcPeerStart> {
  if (options.enabled === false) return { peer: undefined, status: 'webrtc: off (turned off)' };
  const available = await webRtcAvailability(options.specifier);
  if (!available.on) return { peer: undefined, status: `webrtc: off: ${available.reason}` };
  const { enabled: _e, specifier: _s, ...transportOptions } = options;
  const transport = new WebRtcTransport(available.module, {
    ...transportOptions,
    ...(parts.log ? { log: parts.log } : {}),
  });
  const max = options.maxConnections ?? 200;
  return {
    peer: new WebRtcPeer(parts.engine, parts.seeding, transport, parts.log),
    status: `webrtc: on (the seeding peer answers WebTorrent offers; at most ${max} connections)`,
  };
}
