import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { PieceMap } from './piece-map.js';
import { PieceVerifier } from './verify.js';
import { retryAfter, WebSeed } from './web-seed.js';

type Mode = 'range' | 'ignore-range' | 'wrong-range' | 'too-long' | 'busy';

/** A small static file server that answers Range requests with 206 (or misbehaves on purpose). */
async function serve(
  t: TestContext,
  root: string,
  mode: Mode = 'range',
): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
    requests.push(`${req.url} ${req.headers.range ?? ''}`);
    let data: Buffer;
    try {
      if (!path.startsWith(root) || !statSync(path).isFile()) throw new Error('no');
      data = readFileSync(path);
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (mode === 'busy') {
      res.writeHead(503, { 'Retry-After': '30' }).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m || mode === 'ignore-range') {
      res.writeHead(200, { 'Content-Length': data.length }).end(data);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), data.length - 1);
    const shift = mode === 'wrong-range' ? 1 : 0;
    const body = data.subarray(start + shift, end + 1 + (mode === 'too-long' ? 100 : 0));
    res.writeHead(206, {
      'Content-Range': `bytes ${start + shift}-${end}/${data.length}`,
      'Content-Length': body.length,
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, requests };
}

function temp(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-ws-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fixture(t: TestContext, version: 'v1' | 'hybrid' = 'hybrid') {
  const dir = temp(t);
  mkdirSync(join(dir, 'My Show', 'season 1'), { recursive: true });
  writeFileSync(join(dir, 'My Show', 'season 1', 'ep #1.ogg'), randomBytes(90_000));
  writeFileSync(join(dir, 'My Show', 'notes.txt'), randomBytes(3_000));
  const created = await createTorrent(join(dir, 'My Show'), {
    version,
    pieceLength: 32768,
    creationDate: null,
  });
  const meta = parseTorrent(created.torrent);
  const map = new PieceMap(meta);
  return { dir, meta, map, verifier: new PieceVerifier(meta, map) };
}

describe('WebSeed (BEP 19)', () => {
  for (const version of ['v1', 'hybrid'] as const) {
    it(`fetches every piece of a multi-file ${version} torrent with Range requests`, async (t) => {
      const { dir, meta, map, verifier } = await fixture(t, version);
      const server = await serve(t, dir);
      const seed = new WebSeed(server.url, { meta, map });
      for (let i = 0; i < meta.pieceCount; i++) {
        assert.ok(verifier.verify(i, await seed.readPiece(i)), `piece ${i}`);
      }
      assert.ok(server.requests.every((r) => /bytes=\d+-\d+$/.test(r)));
      assert.ok(server.requests.some((r) => r.includes('/My%20Show/season%201/ep%20%231.ogg')));
      assert.ok(!server.requests.some((r) => r.includes('.pad')), 'padding files are not requested');
      assert.equal(
        seed.downloaded,
        meta.files.filter((f) => !f.padding).reduce((s, f) => s + f.length, 0),
      );
    });
  }

  it('uses the URL itself for a single-file torrent and the folder plus name for a trailing slash', async (t) => {
    const dir = temp(t);
    writeFileSync(join(dir, 'talk.webm'), randomBytes(40_000));
    const meta = parseTorrent(
      (await createTorrent(join(dir, 'talk.webm'), { pieceLength: 16384, version: 'v1' })).torrent,
    );
    const map = new PieceMap(meta);
    const server = await serve(t, dir);
    assert.equal(new WebSeed(`${server.url}talk.webm`, { meta, map }).fileUrl(0), `${server.url}talk.webm`);
    const seed = new WebSeed(server.url, { meta, map });
    assert.equal(seed.fileUrl(0), `${server.url}talk.webm`);
    const verifier = new PieceVerifier(meta, map);
    for (let i = 0; i < meta.pieceCount; i++) assert.ok(verifier.verify(i, await seed.readPiece(i)));
  });

  it("builds URLs from the torrent's own components, and a `..` one from libtorrent's sanitised path", () => {
    const meta = parseTorrent(
      encode({
        info: {
          name: 'odd',
          'piece length': 16384,
          pieces: Buffer.alloc(20),
          files: [
            { length: 3, path: ['a\\b', 'c d.txt'] },
            { length: 3, path: ['..', '..', 'etc', 'passwd'] },
            { length: 3, path: ['CON'] },
          ],
        },
      } as never),
    );
    const seed = new WebSeed('http://ws.example/files', { meta, map: new PieceMap(meta) });
    assert.equal(seed.fileUrl(0), 'http://ws.example/files/odd/a%5Cb/c%20d.txt');
    assert.equal(seed.fileUrl(1), 'http://ws.example/files/odd/etc/passwd');
    assert.equal(seed.fileUrl(2), 'http://ws.example/files/odd/CON');
    for (let i = 0; i < 3; i++) assert.ok(new URL(seed.fileUrl(i)).pathname.startsWith('/files/odd/'));
  });

  it('accepts a 200 for a small file from a server that ignores Range', async (t) => {
    const { dir, meta, map, verifier } = await fixture(t, 'v1');
    const server = await serve(t, dir, 'ignore-range');
    const seed = new WebSeed(server.url, { meta, map });
    for (let i = 0; i < meta.pieceCount; i++) assert.ok(verifier.verify(i, await seed.readPiece(i)));
  });

  it('rejects 404s, wrong ranges and bodies longer than asked', async (t) => {
    const { dir, meta, map } = await fixture(t, 'v1');
    const cases: [Mode | 'missing', RegExp][] = [
      ['wrong-range', /Content-Range/],
      ['too-long', /Content-Range|longer/],
      ['missing', /HTTP 404/],
    ];
    for (const [mode, pattern] of cases) {
      const server = await serve(t, dir, mode === 'missing' ? 'range' : mode);
      const url = mode === 'missing' ? `${server.url}nothing-here/` : server.url;
      await assert.rejects(new WebSeed(url, { meta, map }).readPiece(0), (err) => {
        assert.ok(isSeedcastError(err, 'WEBSEED_BAD_RESPONSE'), String(err));
        assert.match(err.message, pattern);
        return true;
      });
    }
  });

  it('remembers how long a 503 asks to wait (Retry-After in seconds or as a date)', async (t) => {
    const { dir, meta, map } = await fixture(t, 'v1');
    const server = await serve(t, dir, 'busy');
    const seed = new WebSeed(server.url, { meta, map });
    const before = Date.now();
    await assert.rejects(seed.readPiece(0), /HTTP 503/);
    assert.ok(seed.retryAt >= before + 30_000 && seed.retryAt <= Date.now() + 30_000, `${seed.retryAt}`);
    const at = (value: string | null) =>
      retryAfter(
        new Response(null, { status: 503, headers: value === null ? {} : { 'retry-after': value } }),
        1000,
      );
    assert.equal(at('5'), 6000);
    assert.equal(at(null), 0);
    assert.equal(at('soon'), 0);
    assert.equal(at(new Date(61_000).toUTCString()), 61_000);
    assert.equal(at('99999'), 1000 + 10 * 60_000, 'capped at ten minutes');
  });

  it('reports a server that cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-ws-'));
    writeFileSync(join(dir, 'a'), 'abc');
    const meta = parseTorrent((await createTorrent(join(dir, 'a'), { pieceLength: 16384 })).torrent);
    rmSync(dir, { recursive: true });
    const seed = new WebSeed('http://127.0.0.1:9/a', { meta, map: new PieceMap(meta) });
    await assert.rejects(seed.readPiece(0), (err) => isSeedcastError(err, 'WEBSEED_FAILED'));
  });
});
