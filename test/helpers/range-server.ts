/**
 * A static file server for tests that answers HTTP `Range` requests with 206 (what BEP 19 web seeds
 * need; `python3 -m http.server` always answers 200), counts the bytes it serves, and can be slowed
 * down so a test can interrupt a transfer half way.
 */

import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize, sep } from 'node:path';
import type { TestContext } from 'node:test';

export interface RangeServer {
  url: string;
  /** Body bytes sent so far. */
  served(): number;
  requests: string[];
}

export async function startRangeServer(
  t: TestContext,
  root: string,
  options: { bytesPerSecond?: number } = {},
): Promise<RangeServer> {
  let served = 0;
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`);
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    let size: number;
    try {
      if (!path.startsWith(root + sep)) throw new Error('outside');
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Content-Length': end - start + 1,
      });
    } else {
      res.writeHead(200, { 'Content-Length': size });
    }
    const stream = createReadStream(path, { start, end, highWaterMark: 64 * 1024 });
    const rate = options.bytesPerSecond;
    stream.on('data', (chunk) => {
      served += chunk.length;
      if (!res.write(chunk)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
      if (rate) {
        stream.pause();
        setTimeout(() => stream.resume(), (chunk.length / rate) * 1000);
      }
    });
    stream.on('end', () => res.end());
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, served: () => served, requests };
}
