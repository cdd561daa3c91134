/**
 * The hook by which the site's own in-process peer joins WebSocket swarms (the WebTorrent tracker
 * protocol): the WebSocket tracker gives it one offer of each announce from a peer that still needs
 * bytes (`left > 0`) when it serves the torrent, and relays its answer back to that peer as if it
 * came from a WebSocket peer with `peerId`. The tracker implements nothing of WebRTC: the site's
 * WebRTC peer (`distribution/webrtc-peer.ts`) implements this interface.
 *
 * The local peer is not counted in the swarm's seeders: the site's TCP announce already counts it.
 * With several site nodes, an offer from a browser on another node reaches the peer of the node
 * that seeds the torrent through Redis (`ws-cluster.ts`), and its answer goes back the same way.
 */

export interface WsLocalPeer {
  /** The 20-byte peer id the in-process peer uses in WebSocket swarms. */
  readonly peerId: Buffer;
  /** Does it serve this torrent (20-byte v1 info hash)? It then gets offers for that swarm. */
  serves(infoHash: Buffer): boolean;
  /** Answer an offer relayed to it; resolve the answer SDP, or undefined to decline. */
  answer(offer: {
    infoHash: Buffer;
    fromPeerId: Buffer;
    offerId: Buffer;
    sdp: string;
  }): Promise<string | undefined>;
}

/** One offer for the local peer. */
export interface LocalOffer {
  infoHash: Buffer;
  fromPeerId: Buffer;
  offerId: Buffer;
  sdp: string;
}

/** Asks the local peer to answer `offer`; its answer goes to `send` as a tracker frame. Never rejects. */
export async function askLocalPeer(
  local: WsLocalPeer,
  offer: LocalOffer,
  send: (text: string) => void,
  warn: (message: string) => void,
): Promise<void> {
  try {
    const sdp = await local.answer(offer);
    if (!sdp) return;
    send(
      JSON.stringify({
        action: 'announce',
        answer: { type: 'answer', sdp },
        offer_id: offer.offerId.toString('latin1'),
        peer_id: local.peerId.toString('latin1'),
        info_hash: offer.infoHash.toString('latin1'),
      }),
    );
  } catch (err) {
    warn(`ws: the local peer failed to answer: ${(err as Error)?.message ?? String(err)}`);
  }
}
