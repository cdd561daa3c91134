import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { outboundFetch } from './http-fetch.js';
import { OutboundPolicy } from './outbound-policy.js';

/**
 * A policy for which 127.0.0.2 stands for a public address (there is no public address to test
 * against here); 127.0.0.1 and everything else inside stay refused. Names resolve through `table`.
 */
class PublicLoopbackTwo extends OutboundPolicy {
  constructor(table: Record<string, string[]> = {}) {
    super({
      resolve: async (host): Promise<LookupAddress[]> => {
        const found = table[host];
        if (!found) throw new Error(`ENOTFOUND ${host}`);
        return found.map((address) => ({ address, family: 4 }));
      },
    });
  }
  override allowsAddress(ip: string): boolean {
    return ip === '127.0.0.2' || super.allowsAddress(ip);
  }
}

async function listen(
  t: TestContext,
  host: string,
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler?.(req, res);
  });
  server.on('connection', () => hits.push('connection'));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

test('a redirect from an allowed host to loopback is refused before any connection', async (t) => {
  const inside = await listen(t, '127.0.0.1', (_req, res) => res.end('secret'));
  const outside = await listen(t, '127.0.0.2', (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/admin` }).end();
  });
  const policy = new PublicLoopbackTwo();
  await assert.rejects(outboundFetch(`http://127.0.0.2:${outside.port}/file`, { policy }), (err) =>
    isSeedcastError(err, 'OUTBOUND_REFUSED'),
  );
  assert.deepEqual(outside.hits, ['connection', '/file']);
  assert.deepEqual(inside.hits, []);
});

test('a redirect to a name that resolves inside is refused at connect time', async (t) => {
  const inside = await listen(t, '127.0.0.1', (_req, res) => res.end('secret'));
  const outside = await listen(t, '127.0.0.2', (_req, res) => {
    res.writeHead(307, { location: `http://rebind.test:${inside.port}/` }).end();
  });
  const policy = new PublicLoopbackTwo({ 'rebind.test': ['127.0.0.1'] });
  await assert.rejects(outboundFetch(`http://127.0.0.2:${outside.port}/`, { policy }), (err) =>
    isSeedcastError(err, 'OUTBOUND_REFUSED'),
  );
  assert.deepEqual(inside.hits, []);
});

test('allowed hops are followed and the answer reads like fetch', async (t) => {
  const outside = await listen(t, '127.0.0.2', (req, res) => {
    if (req.url === '/a') res.writeHead(301, { location: '/b' }).end();
    else res.writeHead(206, { 'content-range': 'bytes 0-1/10', 'x-seen': req.headers.range ?? '' }).end('ok');
  });
  const policy = new PublicLoopbackTwo({ 'cdn.test': ['127.0.0.2'] });
  const { response, url } = await outboundFetch(`http://cdn.test:${outside.port}/a`, {
    policy,
    headers: { range: 'bytes=0-1' },
  });
  assert.equal(response.status, 206);
  assert.equal(url, `http://cdn.test:${outside.port}/b`);
  assert.equal(response.headers.get('x-seen'), 'bytes=0-1');
  assert.equal(await response.text(), 'ok');
});

test('redirect chains are bounded, other schemes refused, and 0 hands the 3xx back', async (t) => {
  const loop = await listen(t, '127.0.0.2', (req, res) => {
    if (req.url === '/ftp') res.writeHead(302, { location: 'ftp://127.0.0.2/x' }).end();
    else res.writeHead(302, { location: `/${Number(req.url?.slice(1) ?? 0) + 1}` }).end();
  });
  const policy = new PublicLoopbackTwo();
  const base = `http://127.0.0.2:${loop.port}`;
  await assert.rejects(outboundFetch(`${base}/0`, { policy, maxRedirects: 3 }), /more than 3 redirects/);
  await assert.rejects(outboundFetch(`${base}/ftp`, { policy }), /only http and https/);
  const { response } = await outboundFetch(`${base}/0`, { policy, maxRedirects: 0 });
  assert.equal(response.status, 302);
});

test('a server that sends no headers in time is given up', async (t) => {
  const slow = await listen(t, '127.0.0.2', () => undefined);
  t.after(() => slow.server.closeAllConnections());
  await assert.rejects(
    outboundFetch(`http://127.0.0.2:${slow.port}/`, { policy: new PublicLoopbackTwo(), timeoutMs: 200 }),
    /no answer in time/,
  );
});
