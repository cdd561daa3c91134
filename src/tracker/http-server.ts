/**
 * The standalone HTTP tracker (`seedcast tracker`): a bare `node:http` server, because every
 * microsecond per announce counts under load. Routes: `GET /announce`, `GET /scrape` (BEP 3, 48)
 * and `GET /metrics` (Prometheus text). Keep-alive is on; request size and time are bounded by
 * Node's limits set below; a request the HTTP parser rejects gets a 400 with a bencoded
 * `failure reason` and a warning, and the server keeps serving.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  answerHttp,
  failureAnswer,
  type HttpAnswer,
  type HttpEdgeOptions,
  rawQuery,
} from './http-handler.js';
import { silentLog } from './log.js';
import type { TrackerService } from './service.js';

const HEADERS = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' };

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...HEADERS, 'Content-Length': answer.body.length });
  res.end(answer.body);
}

/** Creates (without listening) the standalone HTTP tracker server. */
export function createHttpTrackerServer(service: TrackerService, options: HttpEdgeOptions = {}): Server {
  const log = options.log ?? silentLog;
  const server = createServer(
    { maxHeaderSize: 16_384, keepAliveTimeout: 15_000, requestTimeout: 30_000 },
    (req, res) => route(service, req, res, options),
  );
  server.headersTimeout = 20_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    service.recordError('http', err);
    log.warn(`http: unparseable request: ${err.code ?? err.message}`);
    if (socket.writable) {
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const body = failureAnswer(
        400,
        tooLarge ? 'tracker: request too large' : 'tracker: malformed HTTP request',
      ).body;
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`,
        'latin1',
      );
    } else {
      socket.destroy();
    }
  });
  return server;
}

function route(
  service: TrackerService,
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpEdgeOptions,
): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/announce' || path === '/scrape') {
    if (req.method !== 'GET') {
      send(res, failureAnswer(405, 'tracker: use GET'));
      return;
    }
    const route = path === '/announce' ? 'announce' : 'scrape';
    answerHttp(
      service,
      { route, query: rawQuery(url), remoteAddress: req.socket.remoteAddress },
      options,
    ).then(
      (answer) => send(res, answer),
      () => send(res, failureAnswer(500, 'tracker: internal error')),
    );
    return;
  }
  if (path === '/metrics' && req.method === 'GET') {
    service.metricsText().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(text);
      },
      () => send(res, failureAnswer(503, 'tracker: metrics unavailable')),
    );
    return;
  }
  service.recordError('http', new Error('not found'));
  send(res, failureAnswer(404, 'tracker: not found (try /announce or /scrape)'));
}
