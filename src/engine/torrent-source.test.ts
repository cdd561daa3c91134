/**
 * A magnet link's `xs=` (BEP 9 exact source): a magnet session fetches the `.torrent` over HTTP and
 * takes its metadata when the info hash matches; a torrent for another hash, a redirect to a
 * address the outbound policy refuses, or an oversized body is refused with a warning. Real loopback HTTP server.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { OutboundPolicy } from '../net/index.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { Engine } from './engine.js';
import { fetchTorrentSource, MAX_SOURCE_BYTES } from './torrent-source.js';

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-xs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const torrents: Uint8Array[] = [];
  for (const name of ['a.bin', 'b.bin']) {
    writeFileSync(join(dir, name), Buffer.alloc(100_000, name));
    torrents.push((await createTorrent(join(dir, name), { version: 'v1', pieceLength: 16384 })).torrent);
  }
  const server = createServer((req, res) => {
    if (req.url === '/a.torrent') res.end(torrents[0]);
    else if (req.url === '/b.torrent') res.end(torrents[1]);
    else if (req.url === '/huge') {
      res.write(Buffer.alloc(MAX_SOURCE_BYTES));
      res.end(Buffer.alloc(1));
    } else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { dir, base, a: parseTorrent(torrents[0]!), b: parseTorrent(torrents[1]!) };
}

describe('xs= (the .torrent of a magnet link)', () => {
  it('a magnet session takes its metadata from the xs URL', async (t) => {
    const { dir, base, a } = await setup(t);
    const engine = new Engine();
    t.after(() => engine.close());
    await engine.listen(0);
    const warnings: string[] = [];
    const session = await engine.add(
      { infoHash: a.infoHash },
      { path: join(dir, 'out'), torrentUrls: [`${base}/b.torrent`, `${base}/a.torrent`] },
    );
    session.on('warning', (w) => warnings.push(w));
    const [meta] = await once(session, 'metadata');
    assert.equal(meta.infoHash, a.infoHash);
    assert.equal(session.meta?.pieceCount, a.pieceCount);
    assert.ok(
      warnings.some((w) => /another info hash/.test(w)),
      `the other torrent refused: ${warnings}`,
    );
  });

  it('refuses a torrent too large, a wrong scheme, and an address the policy refuses', async (t) => {
    const { base, a } = await setup(t);
    await assert.rejects(fetchTorrentSource(`${base}/huge`, a.infoHash), /larger than/);
    await assert.rejects(fetchTorrentSource('ftp://example.org/a.torrent', a.infoHash), /not an http/);
    await assert.rejects(fetchTorrentSource(`${base}/nothing`, a.infoHash), /HTTP 404/);
    const policy = new OutboundPolicy({ allowPrivate: false });
    await assert.rejects(
      fetchTorrentSource(`${base}/a.torrent`, a.infoHash, { policy }),
      /OUTBOUND|refused|not allowed/i,
    );
  });
});
