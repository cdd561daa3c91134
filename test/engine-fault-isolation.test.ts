/**
 * Fault isolation in the engine, over real sockets (issue 15, finding 1): a store that fails (ENOSPC
 * while downloading, EIO while seeding) fails its own session only, and the engine's other session
 * still completes or serves, and an owner awaiting `complete` hears of it; a peer that sends blocks
 * nobody asked for is dropped, and so is one whose message makes the session throw; a block of a
 * 128 MiB piece does not make the engine allocate the piece; a seed-only session over a damaged
 * read-only store never requests or writes a block and reports the damaged piece.
 * (Before the fix each of these crashed the process with an unhandled rejection, allocated the whole
 * piece, or kept the hostile peer.)
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { Engine, FileStore, type PieceStore, type TorrentSession } from '../src/engine/index.js';
import { createTorrent, type Metainfo, parseTorrent } from '../src/torrent/index.js';
import { connectFakePeer } from './helpers/fake-peer.js';
import { tempDir } from './helpers/tools.js';

const PIECE = 64 * 1024;

async function content(dir: string, name: string, size: number): Promise<{ data: Buffer; meta: Metainfo }> {
  mkdirSync(join(dir, 'seed'), { recursive: true });
  const data = randomBytes(size);
  writeFileSync(join(dir, 'seed', name), data);
  const created = await createTorrent(join(dir, 'seed', name), { version: 'v1', pieceLength: PIECE });
  return { data, meta: parseTorrent(created.torrent) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** A store whose writes or reads throw once `broken()` says so (a full or failing disk). */
function failingStore(
  inner: PieceStore,
  broken: { write?: () => boolean; read?: () => boolean },
): PieceStore {
  return {
    ...(inner.readOnly !== undefined ? { readOnly: inner.readOnly } : {}),
    async read(offset, length) {
      if (broken.read?.()) throw errno('EIO', 'i/o error');
      return inner.read(offset, length);
    },
    async write(offset, data) {
      if (broken.write?.()) throw errno('ENOSPC', 'no space left on device');
      return inner.write(offset, data);
    },
    close: () => inner.close(),
    ...(inner.isEmpty ? { isEmpty: () => inner.isEmpty!() } : {}),
  };
}

async function engineOn(t: TestContext): Promise<{ engine: Engine; port: number }> {
  const engine = new Engine({ host: '127.0.0.1' });
  const port = await engine.listen(0);
  t.after(() => engine.close());
  return { engine, port };
}

function completeOrFail(session: TorrentSession, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (session.complete) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`not complete after ${ms} ms: ${JSON.stringify(session.stats())}`)),
      ms,
    );
    session.once('complete', () => {
      clearTimeout(timer);
      resolve();
    });
    session.once('failed', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('fault isolation', { timeout: 90_000 }, () => {
  it('ENOSPC in one download fails that session only; the other completes from the same seeder', async (t) => {
    const dir = tempDir(t);
    const a = await content(dir, 'a.bin', 1_000_000);
    const b = await content(dir, 'b.bin', 1_000_000);
    const seeder = await engineOn(t);
    await seeder.engine.add({ meta: a.meta }, { path: join(dir, 'seed'), readOnly: true });
    await seeder.engine.add({ meta: b.meta }, { path: join(dir, 'seed'), readOnly: true });

    const leecher = await engineOn(t);
    const failures: [TorrentSession, Error][] = [];
    leecher.engine.on('sessionFailed', (s, reason) => failures.push([s, reason]));
    let written = 0;
    const peers = [{ host: '127.0.0.1', port: seeder.port }];
    const full = await leecher.engine.add(
      { meta: a.meta },
      {
        path: join(dir, 'out-a'),
        peers,
        // The disk fills up after a few blocks.
        storeFor: (m) => failingStore(new FileStore(m, join(dir, 'out-a')), { write: () => ++written > 4 }),
      },
    );
    // An owner waiting for completion (the site's archiver does) hears of the failure.
    const waiting = once(full, 'complete');
    const fine = await leecher.engine.add({ meta: b.meta }, { path: join(dir, 'out-b'), peers });

    await assert.rejects(waiting, { code: 'ENOSPC' });
    const reason = full.failure as NodeJS.ErrnoException;
    assert.equal(reason.code, 'ENOSPC');
    assert.equal(full.failure, reason);
    assert.equal(full.running, false);
    await completeOrFail(fine, 30_000);
    assert.deepEqual(readFileSync(join(dir, 'out-b', 'b.bin')), b.data);
    assert.deepEqual(
      failures.map(([s, r]) => [s, r.message]),
      [[full, reason.message]],
    );
    assert.deepEqual(leecher.engine.list(), [fine]);
  });

  it('EIO reading one seeded torrent fails that session; a real peer still downloads the other', async (t) => {
    const dir = tempDir(t);
    const x = await content(dir, 'x.bin', 600_000);
    const y = await content(dir, 'y.bin', 1_200_000);
    const seeder = await engineOn(t);
    let diskBroken = false;
    const failed = await seeder.engine.add(
      { meta: x.meta },
      {
        path: join(dir, 'seed'),
        storeFor: (m) =>
          failingStore(new FileStore(m, join(dir, 'seed'), { readOnly: true }), { read: () => diskBroken }),
      },
    );
    const healthy = await seeder.engine.add({ meta: y.meta }, { path: join(dir, 'seed'), readOnly: true });
    assert.ok(failed.complete && healthy.complete);
    diskBroken = true; // the disk under x fails after the recheck

    const peers = [{ host: '127.0.0.1', port: seeder.port }];
    const leecherX = await engineOn(t);
    const wantX = await leecherX.engine.add({ meta: x.meta }, { path: join(dir, 'out-x'), peers });
    const [reason] = (await once(failed, 'failed')) as [NodeJS.ErrnoException];
    assert.equal(reason.code, 'EIO');
    assert.equal(wantX.complete, false);

    const leecherY = await engineOn(t);
    const wantY = await leecherY.engine.add({ meta: y.meta }, { path: join(dir, 'out-y'), peers });
    await completeOrFail(wantY, 30_000);
    assert.deepEqual(readFileSync(join(dir, 'out-y', 'y.bin')), y.data);
    assert.equal(healthy.failure, undefined);
    assert.deepEqual(seeder.engine.list(), [healthy]);
  });

  it('drops a peer that sends blocks nobody asked for, and keeps downloading', async (t) => {
    const dir = tempDir(t);
    const { meta } = await content(dir, 'c.bin', 1_000_000);
    const leecher = await engineOn(t);
    const session = await leecher.engine.add({ meta }, { path: join(dir, 'out') });
    const peer = await connectFakePeer(leecher.port, meta.infoHash);
    peer.haveAll(meta.pieceCount);
    // Never unchoked: the leecher cannot have asked for anything.
    for (let i = 0; i < 20; i++) peer.conn.sendPiece(i % meta.pieceCount, 0, randomBytes(16384));
    const reason = await Promise.race([
      peer.closed,
      new Promise<string>((r) => setTimeout(() => r('still connected'), 5000)),
    ]);
    assert.notEqual(reason, 'still connected');
    assert.equal(session.failure, undefined);
    assert.equal(session.running, true);
    assert.equal(session.stats().have, 0);
  });

  it('a peer whose message makes the session throw is dropped; the session and the process carry on', async (t) => {
    const dir = tempDir(t);
    const { data, meta } = await content(dir, 'e.bin', 400_000);
    const seeder = await engineOn(t);
    const session = await seeder.engine.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const serve = session.uploader.request.bind(session.uploader);
    let armed = true;
    session.uploader.request = (peer, block) => {
      if (armed && block.index === 1) throw new TypeError('a bug a request can reach');
      serve(peer, block);
    };
    const peer = await connectFakePeer(seeder.port, meta.infoHash);
    peer.conn.send({ type: 'interested' });
    await peer.waitFor((m) => m.type === 'unchoke');
    peer.conn.send({ type: 'request', index: 1, begin: 0, length: 16384 });
    const closed = await Promise.race([peer.closed.then(() => 'dropped'), sleep(5000).then(() => 'kept')]);
    assert.equal(closed, 'dropped');
    assert.equal(session.failure, undefined);
    armed = false;
    const again = await connectFakePeer(seeder.port, meta.infoHash);
    again.conn.send({ type: 'interested' });
    await again.waitFor((m) => m.type === 'unchoke');
    again.conn.send({ type: 'request', index: 1, begin: 0, length: 16384 });
    const block = (await again.waitFor((m) => m.type === 'piece')) as { block: Uint8Array };
    assert.ok(Buffer.from(block.block).equals(data.subarray(PIECE, PIECE + 16384)));
  });

  it('a block of a 128 MiB piece does not allocate the piece', async (t) => {
    const dir = tempDir(t);
    const pieceLength = 128 * 1024 * 1024;
    const meta = parseTorrent(
      encode({
        info: {
          name: 'big.bin',
          'piece length': pieceLength,
          length: 2 * pieceLength,
          pieces: randomBytes(40),
        },
      }),
    );
    const leecher = await engineOn(t);
    const session = await leecher.engine.add({ meta }, { path: join(dir, 'out') });
    const peer = await connectFakePeer(leecher.port, meta.infoHash);
    const before = process.memoryUsage().arrayBuffers;
    let answered = 0;
    peer.conn.on('message', (m) => {
      if (m.type !== 'request' || answered >= 64) return;
      answered++;
      peer.conn.sendPiece(m.index, m.begin, randomBytes(m.length));
    });
    peer.haveAll(meta.pieceCount);
    peer.conn.send({ type: 'unchoke' });
    const deadline = Date.now() + 10_000;
    while (answered < 64 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.equal(answered, 64);
    assert.ok(grown < 64 * 1024 * 1024, `external memory grew by ${grown} bytes`);
    assert.ok(session.stats().downloaded >= 64 * 16384);
    assert.equal(session.failure, undefined);
  });

  it('a seed-only session over a damaged read-only store never requests or writes, and reports the damage', async (t) => {
    const dir = tempDir(t);
    const { data, meta } = await content(dir, 'd.bin', 10 * PIECE);
    const path = join(dir, 'seed', 'd.bin');
    const damagedBytes = Buffer.from(data);
    damagedBytes.fill(0, 3 * PIECE, 3 * PIECE + 100); // bit rot in piece 3
    writeFileSync(path, damagedBytes);
    const seeder = await engineOn(t);
    const session = await seeder.engine.add({ meta }, { path: join(dir, 'seed'), readOnly: true });

    const peer = await connectFakePeer(seeder.port, meta.infoHash);
    peer.haveAll(meta.pieceCount);
    peer.conn.send({ type: 'unchoke' });
    peer.conn.send({ type: 'interested' });
    // Intact pieces are still served.
    await peer.waitFor((m) => m.type === 'unchoke');
    peer.conn.send({ type: 'request', index: 0, begin: 0, length: 16384 });
    const block = await peer.waitFor((m) => m.type === 'piece');
    assert.deepEqual(Buffer.from((block as { block: Uint8Array }).block), data.subarray(0, 16384));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(peer.requests().length, 0, 'a seed-only session asked for blocks');
    // A good copy of the damaged piece, unsolicited: not written, and the peer is dropped.
    for (let b = 0; b < PIECE / 16384; b++) {
      peer.conn.sendPiece(3, b * 16384, data.subarray(3 * PIECE + b * 16384, 3 * PIECE + (b + 1) * 16384));
    }
    for (let i = 0; i < 10; i++) peer.conn.sendPiece(3, 0, data.subarray(3 * PIECE, 3 * PIECE + 16384));
    await peer.closed;
    assert.deepEqual(readFileSync(path), damagedBytes);
    assert.equal(session.seedOnly, true);
    assert.equal(session.failure, undefined);
    assert.equal(session.running, true);
    assert.deepEqual(session.damaged(), [3]);
  });
});
