/**
 * A WebSocket tracker client for tests (the WebTorrent tracker protocol, as bittorrent-tracker's
 * `websocket-tracker.js` speaks it, without WebRTC): sends JSON frames, queues the frames it
 * receives, and tells how the socket closed. Ids are 20-character binary strings.
 */

import WebSocket from 'ws';

export interface WsTestClient {
  ws: WebSocket;
  send(message: unknown): void;
  /** The next frame received (parsed), waiting up to `ms`. */
  next(ms?: number): Promise<Record<string, unknown>>;
  /** Resolves true if no frame arrives within `ms`. */
  quiet(ms: number): Promise<boolean>;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
  close(): Promise<void>;
}

/** A 20-character binary string (latin1) of bytes `fill`, or of the given text padded. */
export function bin(fill: number | string): string {
  if (typeof fill === 'string') return fill.padEnd(20, '-').slice(0, 20);
  return String.fromCharCode(...Buffer.alloc(20, fill));
}

/** A fake SDP of the given length (the tracker relays it as it is). */
export function sdp(tag: string, length = 200): string {
  return `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n`.padEnd(length, 'a');
}

export async function wsClient(
  url: string,
  options: { headers?: Record<string, string> } = {},
): Promise<WsTestClient> {
  const ws = new WebSocket(url, { headers: options.headers, perMessageDeflate: false });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    ws,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    next(ms = 3000) {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error('no frame received'));
        }, ms);
        const w = (x: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(x);
        };
        waiters.push(w);
      });
    },
    async quiet(ms) {
      if (queue.length > 0) return false;
      await new Promise((r) => setTimeout(r, ms));
      return queue.length === 0;
    },
    closed,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
}

/** An announce frame (offers as given: `[offerId, sdp]`). */
export function announce(
  infoHash: string,
  peerId: string,
  fields: { left?: number | null; event?: string; offers?: [string, string][]; numwant?: number } = {},
): Record<string, unknown> {
  return {
    action: 'announce',
    info_hash: infoHash,
    peer_id: peerId,
    numwant: fields.numwant ?? fields.offers?.length ?? 0,
    uploaded: 0,
    downloaded: 0,
    left: fields.left === undefined ? 1000 : fields.left,
    ...(fields.event ? { event: fields.event } : {}),
    ...(fields.offers
      ? {
          offers: fields.offers.map(([offerId, s]) => ({
            offer: { type: 'offer', sdp: s },
            offer_id: offerId,
          })),
        }
      : {}),
  };
}
