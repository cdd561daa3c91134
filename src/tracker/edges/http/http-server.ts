/**
 * The standalone HTTP tracker (`seedcast tracker`): a minimal HTTP/1.1 server over `node:net`,
 * because the tracker needs only `GET` with a query string and `node:http`'s general machinery
 * costs more than the announce itself. Routes: `GET /announce`, `GET /scrape` (BEP 3, 48) and
 * `GET /metrics` (Prometheus text).
 *
 * What it reads, byte by byte: a request head ends at the first CRLF CRLF; its first line is
 * `METHOD SP request-target SP HTTP/1.x`; of the header lines only `Connection`,
 * `Content-Length` and `Transfer-Encoding` matter. HTTP/1.1 connections stay open unless the
 * client says `Connection: close` (HTTP/1.0: unless it says `keep-alive`); pipelined requests are
 * answered in order. A request with a body is answered and its connection closed (no body is ever
 * read). Answers are `HTTP/1.1 <status>` with `Content-Type`, `Content-Length` and, when closing,
 * `Connection: close`, then the bencoded body.
 *
 * Limits (the defaults of `HTTP_LIMITS`): a head over 8 KiB (opentracker's and nginx's bound) gets
 * 431, a head that is not HTTP gets 400 (both with a bencoded `failure reason`, a warning, and the
 * connection closed); a connection holds at most 32 KiB of unanswered pipelined requests (reading
 * pauses until they are answered, and while a client does not read its answers); after a final
 * answer (a refusal, `Connection: close`, a request with a body) nothing more is kept: what still
 * arrives is discarded, and the connection is destroyed after 64 KiB or 2 s of it. Idle connections
 * close after 30 s, a head still incomplete after 20 s closes its connection, at most 16,384
 * connections are open, at most 256 from one address.
 *
 * With a WebSocket edge (`options.ws`), a `GET /announce` carrying `Upgrade: websocket` that is the
 * next request to answer leaves this server: its connection, the head and the bytes read past it
 * are handed to the edge (`edges/ws/ws-edge.ts`), which completes the handshake (RFC 6455).
 */

import { createServer, type Server, type Socket } from 'node:net';
import { silentLog } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import { upgradeRequest, type WsTrackerEdge } from '../ws/index.js';
import {
  answerHttp,
  failureAnswer,
  type HttpAnswer,
  type HttpEdgeOptions,
  rawQuery,
} from './http-handler.js';

/** What one connection may cost the server; the defaults suit the public internet. */
export interface HttpServerLimits {
  /** Largest request head (request line and headers), bytes. */
  maxHead: number;
  /** Unanswered bytes (pipelined requests) kept per connection before reading pauses. */
  maxPending: number;
  /** After the final answer: bytes discarded, and time waited, before the connection is destroyed. */
  lingerBytes: number;
  lingerMs: number;
  /** Open connections from one remote address. */
  maxPerAddress: number;
}

export const HTTP_LIMITS: Readonly<HttpServerLimits> = {
  maxHead: 8 * 1024,
  maxPending: 32 * 1024,
  lingerBytes: 64 * 1024,
  lingerMs: 2_000,
  maxPerAddress: 256,
};

const IDLE_MS = 30_000;
/** A request head must arrive whole within this time, however slowly it trickles in. */
const HEAD_MS = 20_000;
const MAX_CONNECTIONS = 16_384;
const CRLFCRLF = Buffer.from('\r\n\r\n');

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface Head {
  method: string;
  target: string;
  keepAlive: boolean;
  /** It asks for `Upgrade: websocket`. */
  websocket: boolean;
}

/** The standalone server's options: the HTTP edge's, and the WebSocket edge upgrades go to. */
export interface HttpServerOptions extends HttpEdgeOptions {
  ws?: WsTrackerEdge;
}

/** Reads a request head (without its final CRLF CRLF); null when it is not HTTP/1.x. */
export function parseHead(head: string): Head | null {
  const eol = head.indexOf('\r\n');
  const line = eol < 0 ? head : head.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) return null;
  const version = line.slice(sp2 + 1);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return null;
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  if (!/^[A-Z]+$/.test(method) || target[0] !== '/') return null;
  let keepAlive = version === 'HTTP/1.1';
  let body = false;
  let websocket = false;
  let pos = eol < 0 ? head.length : eol + 2;
  while (pos < head.length) {
    let next = head.indexOf('\r\n', pos);
    if (next < 0) next = head.length;
    const colon = head.indexOf(':', pos);
    if (colon < 0 || colon > next) return null;
    const name = head.slice(pos, colon).toLowerCase();
    if (name === 'connection') {
      const value = head
        .slice(colon + 1, next)
        .trim()
        .toLowerCase();
      if (value.includes('close')) keepAlive = false;
      else if (value.includes('keep-alive')) keepAlive = true;
    } else if (name === 'upgrade') {
      websocket = /(^|[\s,])websocket($|[\s,])/i.test(head.slice(colon + 1, next));
    } else if (
      name === 'transfer-encoding' ||
      (name === 'content-length' && head.slice(colon + 1, next).trim() !== '0')
    ) {
      body = true;
    }
    pos = next + 2;
  }
  return { method, target, keepAlive: keepAlive && !body, websocket };
}

function encodeAnswer(answer: HttpAnswer, keepAlive: boolean, contentType = 'text/plain'): Buffer {
  const head =
    `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? 'Error'}\r\nContent-Type: ${contentType}\r\n` +
    `Cache-Control: no-cache\r\nContent-Length: ${answer.body.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`;
  const out = Buffer.allocUnsafe(head.length + answer.body.length);
  out.write(head, 0, 'latin1');
  answer.body.copy(out, head.length);
  return out;
}

/** The standalone HTTP tracker server (not yet listening) and a way to close it with its connections. */
export interface HttpTrackerServer {
  server: Server;
  close(): Promise<void>;
}

export function createHttpTrackerServer(
  service: TrackerService,
  options: HttpServerOptions = {},
  limits: Partial<HttpServerLimits> = {},
): HttpTrackerServer {
  const bounds: HttpServerLimits = { ...HTTP_LIMITS, ...limits };
  const sockets = new Set<Socket>();
  const perAddress = new Map<string, number>();
  const server = createServer({ noDelay: true }, (socket) => {
    const from = socket.remoteAddress ?? '';
    const count = perAddress.get(from) ?? 0;
    if (count >= bounds.maxPerAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(from, count + 1);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(from) ?? 1) - 1;
      if (left > 0) perAddress.set(from, left);
      else perAddress.delete(from);
    });
    serveConnection(socket, service, options, bounds);
  });
  server.maxConnections = MAX_CONNECTIONS;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function serveConnection(
  socket: Socket,
  service: TrackerService,
  options: HttpServerOptions,
  bounds: HttpServerLimits,
): void {
  const log = options.log ?? silentLog;
  let pending: Buffer | null = null;
  let headSince = 0;
  /** An answer is being made, or the client is not reading them: leave `pending` alone. */
  let busy = false;
  /** False once the final answer is sent: from then on, what arrives is discarded. */
  let open = true;
  let discarded = 0;
  let linger: NodeJS.Timeout | undefined;
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    open = false;
    pending = null;
    if (linger) clearTimeout(linger);
  });
  const onData = (chunk: Buffer) => {
    if (!open) {
      discarded += chunk.length;
      if (discarded > bounds.lingerBytes) socket.destroy();
      return;
    }
    if (pending) {
      if (Date.now() - headSince > HEAD_MS) {
        socket.destroy();
        return;
      }
      pending = Buffer.concat([pending, chunk]);
    } else {
      pending = chunk;
      headSince = Date.now();
    }
    if (!busy) pump();
    else if (pending.length > bounds.maxPending) socket.pause();
  };
  socket.on('data', onData);

  /** Hands the connection to the WebSocket edge: nothing of this server touches it afterwards. */
  const handOver = (ws: WsTrackerEdge, headText: string, rest: Buffer): void => {
    open = false;
    pending = null;
    socket.off('data', onData);
    socket.setTimeout(0);
    const req = upgradeRequest(headText, socket);
    if (!req) {
      socket.destroy();
      return;
    }
    ws.handleUpgrade(req, socket, rest, socket.remoteAddress ?? '');
    if (socket.isPaused()) socket.resume();
  };

  /** Sends the last answer, then keeps nothing: the connection ends, or is destroyed after a short linger. */
  const finish = (answer: Buffer) => {
    open = false;
    pending = null;
    // Reading on (and discarding) lets the client see the answer instead of a reset; the linger
    // starts once the answer is handed to the kernel (the idle timeout covers a client not reading).
    socket.end(answer, () => {
      if (socket.destroyed) return;
      linger = setTimeout(() => socket.destroy(), bounds.lingerMs);
      linger.unref();
    });
    if (socket.isPaused()) socket.resume();
  };

  const refuse = (status: number, reason: string, detail: string) => {
    service.recordError('http', new Error(detail));
    log.warn(`http: ${detail}`, { from: socket.remoteAddress });
    finish(encodeAnswer(failureAnswer(status, reason), false));
  };

  const pump = (): void => {
    while (open && !busy && pending) {
      const end = pending.indexOf(CRLFCRLF);
      if (end < 0 || end > bounds.maxHead) {
        if (pending.length > bounds.maxHead) {
          refuse(431, 'tracker: request too large', `request head over ${bounds.maxHead} bytes`);
        }
        break;
      }
      const headText = pending.toString('latin1', 0, end);
      const head = parseHead(headText);
      if (
        head?.websocket &&
        options.ws &&
        head.method === 'GET' &&
        head.target.split('?')[0] === '/announce'
      ) {
        handOver(options.ws, headText, pending.subarray(end + 4));
        return;
      }
      pending = end + 4 < pending.length ? pending.subarray(end + 4) : null;
      headSince = Date.now();
      if (!head) {
        refuse(400, 'tracker: malformed HTTP request', 'unparseable request');
        return;
      }
      busy = true;
      respond(service, head, socket.remoteAddress, options).then(
        ({ answer, contentType }) => {
          if (!open) return;
          if (!head.keepAlive) {
            finish(encodeAnswer(answer, false, contentType));
            return;
          }
          if (socket.write(encodeAnswer(answer, true, contentType))) {
            busy = false;
            pump();
          } else {
            // The client is not reading its answers: read no more requests until it does.
            socket.once('drain', () => {
              busy = false;
              pump();
            });
          }
        },
        () => socket.destroy(),
      );
    }
    if (open && !busy && socket.isPaused()) socket.resume();
  };
}

async function respond(
  service: TrackerService,
  head: Head,
  remoteAddress: string | undefined,
  options: HttpServerOptions,
): Promise<{ answer: HttpAnswer; contentType?: string }> {
  const q = head.target.indexOf('?');
  const path = q < 0 ? head.target : head.target.slice(0, q);
  if (path === '/announce' || path === '/scrape') {
    if (head.method !== 'GET') return { answer: failureAnswer(405, 'tracker: use GET') };
    const route = path === '/announce' ? 'announce' : 'scrape';
    return {
      answer: await answerHttp(service, { route, query: rawQuery(head.target), remoteAddress }, options),
    };
  }
  if (path === '/metrics' && head.method === 'GET') {
    try {
      const text = await service.metricsText();
      return { answer: { status: 200, body: Buffer.from(text) }, contentType: 'text/plain; version=0.0.4' };
    } catch {
      return { answer: failureAnswer(503, 'tracker: metrics unavailable') };
    }
  }
  service.recordError('http', new Error('not found'));
  return { answer: failureAnswer(404, 'tracker: not found (try /announce or /scrape)') };
}
