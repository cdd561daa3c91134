/**
 * The tracker as a Fastify plugin, for the site: `GET /announce` and `GET /scrape` (BEP 3, 7, 23,
 * 48) under whatever prefix it is registered with. The query string is taken raw from the request
 * URL (Fastify's parser would decode the binary `info_hash` as UTF-8) and handed to the same edge as
 * the standalone server; the peer's address is Fastify's `request.ip` (so `trustProxy` applies).
 * An announce that carries `X-Forwarded-For` from a loopback address while the proxy is not trusted
 * is a site behind a proxy without `--trust-proxy` (every peer would look like the proxy): said once
 * in the log.
 *
 * WebSocket (the WebTorrent tracker protocol, `edges/ws/ws-edge.ts`): a `GET /announce` with
 * `Upgrade: websocket` is taken from the server's `upgrade` event, routed through Fastify like any
 * request (so hooks and `trustProxy` apply: the peer's address is `request.ip`), and handed to the
 * WebSocket edge by the `/announce` handler. Upgrades to other paths are answered 404 and closed.
 */

import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { addressRange } from '../../../net/index.js';
import { rateLimited } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import { isWebSocketUpgrade, type WsEdgeOptions, WsTrackerEdge } from '../ws/index.js';
import { answerHttp, type HttpEdgeOptions, type HttpRoute, rawQuery } from './http-handler.js';

export interface TrackerPluginOptions extends HttpEdgeOptions {
  service: TrackerService;
  /** Serve the WebSocket tracker at `/announce` (default true), with these options. */
  ws?: boolean | WsEdgeOptions;
}

/** The upgrade request's bytes read past its head, kept on the request for the `/announce` handler. */
const upgradeHead = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();

const schema = (summary: string) => ({
  summary,
  description: 'Answers with a bencoded dictionary (text/plain), a `failure reason` when refused.',
  querystring: { type: 'object' },
});

/** Registers `/announce` and `/scrape`; warnings (rate-limited) go to the app's logger unless `log` is given. */
export async function trackerPlugin(app: FastifyInstance, options: TrackerPluginOptions): Promise<void> {
  const log = rateLimited(
    options.log ?? {
      warn: (message: string, fields?: Record<string, unknown>) => app.log.warn(fields ?? {}, message),
    },
  );
  const edge: HttpEdgeOptions = { trackerId: options.trackerId, log };
  let proxyWarned = false;
  const ws =
    options.ws === false
      ? undefined
      : new WsTrackerEdge(options.service, { log, ...(typeof options.ws === 'object' ? options.ws : {}) });
  if (ws) {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/announce' || !isWebSocketUpgrade(req.headers)) {
        socket.on('error', () => socket.destroy());
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      upgradeHead.set(req, { socket, head });
      // Routed like any request, with a response on the socket should a hook answer it instead.
      const res = new ServerResponse(req);
      res.assignSocket(socket as Socket);
      app.routing(req, res);
    });
    // Before the HTTP server closes: it waits for every socket it accepted, upgraded ones included,
    // so open WebSocket peers (a viewer's page) would hold `app.close()` until they left.
    app.addHook('preClose', async () => ws.close());
  }
  for (const route of ['announce', 'scrape'] as HttpRoute[]) {
    app.get(`/${route}`, { schema: schema(`BitTorrent tracker ${route}`) }, async (request, reply) => {
      if (!proxyWarned && request.headers['x-forwarded-for'] && isLoopback(request.ip)) {
        proxyWarned = true;
        log.warn(
          'tracker: announces come through a proxy on this host; set --trust-proxy so peers get their own addresses',
        );
      }
      const upgrade = route === 'announce' && ws ? upgradeHead.get(request.raw) : undefined;
      if (upgrade && ws) {
        upgradeHead.delete(request.raw);
        reply.hijack();
        ws.handleUpgrade(request.raw, upgrade.socket, upgrade.head, request.ip);
        return reply;
      }
      const answer = await answerHttp(
        options.service,
        { route, query: rawQuery(request.raw.url ?? ''), remoteAddress: request.ip },
        edge,
      );
      reply.code(answer.status).header('Content-Type', 'text/plain').header('Cache-Control', 'no-cache');
      return answer.body;
    });
  }
}

function isLoopback(ip: string): boolean {
  return addressRange(ip) === 'loopback';
}
