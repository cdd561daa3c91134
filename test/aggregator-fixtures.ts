/**
 * A real podcast host for the aggregator's end-to-end tests: a local HTTP server that serves feeds
 * (with ETag and Last-Modified, answering 304 to conditional requests), media files with `Range`
 * (206 / Content-Range, RFC 9110 section 14), optional throttling, redirects, errors and endless
 * bodies; it logs every request so a test can check what was asked for.
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { cliArgv } from './helpers/cli-entry.js';
import { type CliResult, testEnv } from './helpers/tools.js';

export type Route =
  | { body: Buffer | string; type?: string; etag?: boolean; bytesPerSecond?: number; noRange?: boolean }
  | { status: number; body?: string }
  | { redirect: string }
  | { endless: true };

export interface LoggedRequest {
  path: string;
  range?: string;
  ifNoneMatch?: string;
  ifRange?: string;
  status: number;
}

export interface PodcastHost {
  url: string;
  routes: Map<string, Route>;
  log: LoggedRequest[];
  set(path: string, route: Route): void;
  close(): Promise<void>;
}

function sendBody(res: ServerResponse, body: Buffer, bytesPerSecond: number | undefined): void {
  if (!bytesPerSecond) {
    res.end(body);
    return;
  }
  const chunk = Math.max(1024, Math.floor(bytesPerSecond / 10));
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    const part = body.subarray(offset, offset + chunk);
    offset += part.length;
    if (offset >= body.length) {
      clearInterval(timer);
      res.end(part);
    } else res.write(part);
  }, 100);
  res.on('close', () => clearInterval(timer));
}

function handle(host: PodcastHost, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const route = host.routes.get(path);
  const entry: LoggedRequest = { path, status: 200 };
  if (req.headers.range) entry.range = req.headers.range;
  if (req.headers['if-none-match']) entry.ifNoneMatch = String(req.headers['if-none-match']);
  if (req.headers['if-range']) entry.ifRange = String(req.headers['if-range']);
  host.log.push(entry);
  if (!route) {
    entry.status = 404;
    res.writeHead(404).end('not found');
    return;
  }
  if ('redirect' in route) {
    entry.status = 302;
    res.writeHead(302, { location: route.redirect }).end();
    return;
  }
  if ('endless' in route) {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    const block = Buffer.from(`<rss><channel>${'<title>x</title>'.repeat(4096)}`);
    const pump = () => {
      while (!res.destroyed && res.write(block)) {
        /* keep writing until the socket pushes back */
      }
    };
    res.on('drain', pump);
    pump();
    return;
  }
  if ('status' in route) {
    entry.status = route.status;
    res.writeHead(route.status).end(route.body ?? '');
    return;
  }
  const body = Buffer.isBuffer(route.body) ? route.body : Buffer.from(route.body);
  const headers: Record<string, string> = {
    'content-type': route.type ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
  };
  if (route.etag) {
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    headers.etag = etag;
    if (req.headers['if-none-match'] === etag) {
      entry.status = 304;
      res.writeHead(304, headers).end();
      return;
    }
  }
  const ifRange = req.headers['if-range'];
  const stale = ifRange !== undefined && ifRange !== headers.etag;
  const range = route.noRange || stale ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    if (start >= body.length) {
      entry.status = 416;
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    entry.status = 206;
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${body.length}`,
      'content-length': String(end - start + 1),
    });
    sendBody(res, body.subarray(start, end + 1), route.bytesPerSecond);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': String(body.length) });
  sendBody(res, body, route.bytesPerSecond);
}

/** Start a podcast host on 127.0.0.1 (closed when the test ends). */
export async function startPodcastHost(t: TestContext, bind = '127.0.0.1'): Promise<PodcastHost> {
  const routes = new Map<string, Route>();
  const server: Server = createServer((req, res) => handle(host, req, res));
  const host: PodcastHost = {
    url: '',
    routes,
    log: [],
    set: (path, route) => routes.set(path, route),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, bind, () => resolve()));
  const address = server.address();
  host.url = `http://${bind}:${typeof address === 'object' && address ? address.port : 0}`;
  t.after(() => host.close());
  return host;
}

export interface FeedItemSpec {
  title: string;
  guid: string;
  /** `<enclosure>`: url, type, length. */
  enclosure?: { url: string; type: string; length: number };
  /** Extra XML inside the item (podcast:alternateEnclosure, media:content ...). */
  extra?: string;
  pubDate?: Date;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** An RSS 2.0 podcast feed with the podcast and Media RSS namespaces declared. */
export function rssFeed(title: string, items: FeedItemSpec[], options: { ttl?: number } = {}): string {
  const body = items
    .map((i, n) => {
      const date = (i.pubDate ?? new Date(Date.UTC(2026, 0, 1 + items.length - n))).toUTCString();
      const enc = i.enclosure
        ? `<enclosure url="${esc(i.enclosure.url)}" type="${i.enclosure.type}" length="${i.enclosure.length}"/>`
        : '';
      return `<item><title>${esc(i.title)}</title><guid isPermaLink="false">${esc(i.guid)}</guid><pubDate>${date}</pubDate>${enc}${i.extra ?? ''}</item>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>${esc(title)}</title><link>http://example.com/</link>${options.ttl ? `<ttl>${options.ttl}</ttl>` : ''}
${body}
</channel></rss>`;
}

/** A `podcast:alternateEnclosure` for `url` carrying a `podcast:integrity` SRI value. */
export function integrityFor(url: string, length: number, sri: string): string {
  return `<podcast:alternateEnclosure type="audio/mpeg" length="${length}"><podcast:integrity type="sri" value="${sri}"/><podcast:source uri="${esc(url)}"/></podcast:alternateEnclosure>`;
}

/** The `library --json` entries. */
export interface LibraryJson {
  feed: string;
  title: string;
  path: string | null;
  complete: boolean;
  via: string | null;
  status: string;
  infoHash: string | null;
}

/** Run `seedcast` (the built CLI, or from source when dist/ is stale) in `cwd`, which may be outside the checkout. */
export function runCliIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      cliArgv(args),
      { cwd, env: testEnv(env), maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
