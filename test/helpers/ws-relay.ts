/**
 * A minimal WebTorrent tracker for tests (JSON over WebSocket, `ws`): it hands one offer of each
 * announce to an in-process `WsLocalPeer` that serves the swarm, and sends its answer back, as the
 * site's WebSocket tracker does. Nothing else: no swarm of other peers, no scrape. Test-only
 * signalling until the site's own `/announce` upgrade is there (branch i17-wstracker).
 */

import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import type { WsLocalPeer } from '../../src/distribution/index.js';

const bin = (s: string) => Buffer.from(s, 'latin1');

/** Attach the relay to `server` at `path`; returns a closer. */
export function attachWsRelay(
  server: Server,
  path: string,
  peer: WsLocalPeer,
  debug?: (message: string) => void,
): () => void {
  const wss = new WebSocketServer({ server, path, maxPayload: 256 * 1024 });
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(String(raw)) as Record<string, unknown>;
      } catch {
        socket.close(1003);
        return;
      }
      debug?.(
        `relay: ${m.action} left=${String(m.left)} offers=${Array.isArray(m.offers) ? m.offers.length : 0}`,
      );
      if (m.action !== 'announce' || typeof m.info_hash !== 'string') return;
      const infoHash = bin(m.info_hash);
      socket.send(
        JSON.stringify({
          action: 'announce',
          interval: 120,
          info_hash: m.info_hash,
          complete: 1,
          incomplete: 1,
        }),
      );
      const offers = Array.isArray(m.offers)
        ? (m.offers as { offer: { sdp: string }; offer_id: string }[])
        : [];
      const first = offers[0];
      // A magnet's first announce says left: null (Infinity in JSON): it still needs bytes.
      if (!first || m.left === 0 || !peer.serves(infoHash)) return;
      void peer
        .answer({
          infoHash,
          fromPeerId: bin(String(m.peer_id)),
          offerId: bin(first.offer_id),
          sdp: first.offer.sdp,
        })
        .then((sdp) => {
          if (!sdp || socket.readyState !== socket.OPEN) return;
          socket.send(
            JSON.stringify({
              action: 'announce',
              answer: { type: 'answer', sdp },
              offer_id: first.offer_id,
              peer_id: peer.peerId.toString('latin1'),
              info_hash: m.info_hash,
            }),
          );
        });
    });
  });
  return () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  };
}
