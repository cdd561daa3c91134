/**
 * A slow link between the app and a real site, so a download of a few MiB over loopback lasts long
 * enough to be seen in progress (an ADSL line, not a LAN). The site runs with `--public-url` set to
 * this link's HTTP side, so its pages, feeds, torrents' tracker and web seed URLs all lead here:
 * - HTTP requests are forwarded to the site, response bodies sent at `bytesPerSecond`;
 * - tracker answers (`/announce`, bencoded, BEP 3 / BEP 23 compact `peers`) are rewritten so each
 *   peer on 127.0.0.1 is reached through a TCP relay here, also at `bytesPerSecond` towards the
 *   downloader. The peers' BitTorrent traffic itself is untouched, only slowed.
 */

import { createServer as createHttpServer, request } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { type BValue, decode, encode, isBytes, isDict } from '../src/bencode/index.js';

export interface SlowLink {
  /** `http://127.0.0.1:<port>`: give it to the site as `--public-url`. */
  url: string;
  /** Where requests go (the site's own address), set once the site is up. */
  target: string;
}

/** Writes `chunk` to `to` at most `bytesPerSecond`, in tenths of a second. */
function slowPipe(
  from: NodeJS.ReadableStream & { pause(): void; resume(): void },
  to: Socket | NodeJS.WritableStream,
  bytesPerSecond: number,
  end = true,
): void {
  const slice = Math.max(1024, Math.floor(bytesPerSecond / 10));
  const queue: Buffer[] = [];
  let ended = false;
  const timer = setInterval(() => {
    let budget = slice;
    while (budget > 0 && queue.length > 0) {
      const head = queue[0]!;
      const part = head.subarray(0, budget);
      (to as NodeJS.WritableStream).write(part);
      budget -= part.length;
      if (part.length === head.length) queue.shift();
      else queue[0] = head.subarray(part.length);
    }
    if (queue.length < 4) from.resume();
    if (ended && queue.length === 0) {
      clearInterval(timer);
      if (end) (to as NodeJS.WritableStream).end();
    }
  }, 100);
  from.on('data', (d: Buffer) => {
    queue.push(Buffer.from(d));
    if (queue.length >= 4) from.pause();
  });
  from.on('end', () => {
    ended = true;
  });
  from.on('error', () => clearInterval(timer));
  from.on('close', () => {
    ended = true;
  });
  (to as NodeJS.EventEmitter).on('close', () => clearInterval(timer));
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Starts the link (closed when the test ends); set `target` before the site is asked anything. */
export async function startSlowLink(t: TestContext, bytesPerSecond: number): Promise<SlowLink> {
  const relays = new Map<number, number>();
  const sockets = new Set<Socket>();
  const servers: { close(cb: () => void): void }[] = [];

  /** A TCP relay to 127.0.0.1:`port`, slow towards the one who connected. */
  const relayFor = async (port: number): Promise<number> => {
    const known = relays.get(port);
    if (known) return known;
    const server = createTcpServer((client) => {
      const upstream = connect(port, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
        s.on('close', () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      slowPipe(upstream, client, bytesPerSecond);
    });
    servers.push(server);
    const relayPort = await listen(server);
    relays.set(port, relayPort);
    return relayPort;
  };

  /** The tracker's answer with loopback peers replaced by their relays. */
  const rewrite = async (body: Buffer): Promise<Buffer> => {
    let answer: BValue;
    try {
      answer = decode(body);
    } catch {
      return body;
    }
    if (!isDict(answer)) return body;
    const peers = answer.get('peers');
    if (isBytes(peers)) {
      const out = Buffer.from(peers);
      for (let i = 0; i + 6 <= out.length; i += 6) {
        if (out[i] !== 127) continue;
        out.writeUInt16BE(await relayFor(out.readUInt16BE(i + 4)), i + 4);
      }
      answer.set('peers', out);
    } else if (Array.isArray(peers)) {
      for (const peer of peers) {
        if (!isDict(peer)) continue;
        const ip = peer.get('ip');
        const port = peer.get('port');
        if (isBytes(ip) && Buffer.from(ip).toString().startsWith('127.') && typeof port === 'number')
          peer.set('port', await relayFor(port));
      }
    }
    return Buffer.from(encode(answer));
  };

  const link: SlowLink = { url: '', target: '' };
  const http = createHttpServer((req, res) => {
    const target = new URL(req.url ?? '/', link.target);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        if (target.pathname === '/announce') {
          const chunks: Buffer[] = [];
          answer.on('data', (d: Buffer) => chunks.push(d));
          answer.on('end', () => {
            void rewrite(Buffer.concat(chunks)).then((body) => {
              const headers = { ...answer.headers, 'content-length': String(body.length) };
              res.writeHead(answer.statusCode ?? 502, headers).end(body);
            });
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        slowPipe(answer, res, bytesPerSecond);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  servers.push(http);
  link.url = `http://127.0.0.1:${await listen(http)}`;
  t.after(async () => {
    for (const s of sockets) s.destroy();
    http.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  });
  return link;
}
