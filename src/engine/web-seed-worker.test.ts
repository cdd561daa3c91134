/**
 * The web seed worker (BEP 19) against a real HTTP server and a real picker: a web seed that asks
 * to wait (503 + Retry-After, as a site deferring to its peer does) gives back every block it took,
 * so the peers can bring them meanwhile.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { Bitfield } from './bitfield.js';
import { PiecePicker } from './picker.js';
import { PieceMap } from './piece-map.js';
import { type WebSeedHost, WebSeedWorker } from './web-seed-worker.js';

/** A web seed that always answers 503 with `Retry-After: 30`; counts its requests. */
async function busySeed(t: TestContext): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers.range ?? '');
    res.writeHead(503, { 'Retry-After': '30' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, requests };
}

test('a web seed that asks to wait gives back every block it held, not only the one it asked for', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-wsw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.bin'), randomBytes(4 * 32768));
  const meta = parseTorrent((await createTorrent(join(dir, 'a.bin'), { pieceLength: 32768 })).torrent);
  const map = new PieceMap(meta);
  const pieceCount = 4;
  // No endgame duplicates: a block is the peer's only once the web seed gave it back.
  const picker = new PiecePicker({ pieceCount, pieceSize: () => 32768 }, new Bitfield(pieceCount), {
    endgameDuplicates: 1,
  });
  // A peer (say a super-seed) is on every piece; its requests for each piece's second block failed.
  const peer = 'peer';
  for (const b of picker.pick(peer, 'all', 100)) if (b.begin > 0) picker.release(peer, b);

  const seed = await busySeed(t);
  const host: WebSeedHost = {
    meta,
    map,
    policyFor: () => undefined,
    done: () => false,
    pick: (worker, max) => picker.pick(worker, 'all', max),
    release: (worker, block) => picker.release(worker, block),
    receive: async () => {},
    warn: () => {},
    fail: (err: Error) => assert.fail(err),
  };
  const worker = new WebSeedWorker(host, `${seed.url}a.bin`);
  t.after(() => worker.stop());
  worker.start();

  // The worker took the four free blocks (four runs: one request each); the first answer is 503.
  const deadline = Date.now() + 10_000;
  while (seed.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seed.requests.length, 1, `one request, then it waits as asked: ${seed.requests}`);
  assert.match(seed.requests[0]!, /^bytes=\d+-\d+$/);
  // While it waits, the peer can ask for all four blocks again.
  const again = picker.pick(peer, 'all', 100);
  assert.deepEqual(
    again.map((b) => `${b.index}:${b.begin}`).sort(),
    ['0:16384', '1:16384', '2:16384', '3:16384'],
    'the blocks the web seed held while it waits',
  );
});
