/**
 * HTTP/1.1 upgrade to WebSocket (RFC 6455 section 4.1) as the tracker's servers see it: whether a
 * request asks for it (`Upgrade: websocket`), and, for the standalone server (`http-server.ts`,
 * which reads requests itself over `node:net`), the request object `ws` needs made from the raw
 * head: the method, the target and the headers (names lower-cased, repeated ones joined by `, `).
 */

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** True when the headers ask to switch to WebSocket. */
export function isWebSocketUpgrade(headers: Record<string, string | string[] | undefined>): boolean {
  const value = headers.upgrade;
  return (
    typeof value === 'string' &&
    value
      .toLowerCase()
      .split(/\s*,\s*/)
      .includes('websocket')
  );
}

/**
 * The request `ws`'s `handleUpgrade` reads (`method`, `url`, `headers`, `socket`), made from a
 * request head without its final CRLF CRLF; null when a header line is malformed.
 */
export function upgradeRequest(head: string, socket: Socket): IncomingMessage | null {
  const lines = head.split('\r\n');
  const [method, url] = lines[0]!.split(' ');
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { method, url, headers, socket } as unknown as IncomingMessage;
}
