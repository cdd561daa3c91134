/**
 * BEP 52 hash messages in the engine, over real loopback sockets: a v2 download without `piece
 * layers` fetches them (pieces that complete first wait for them), a peer whose hashes do not verify
 * or that sends hashes never asked for is dropped, and a seeding engine answers hash requests with
 * runs that verify against the pieces root, and refuses the rest with `hash reject`.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connectFakePeer } from '../../test/helpers/fake-peer.js';
import {
  createTorrent,
  fileTreeShape,
  LayerTree,
  type Metainfo,
  parseTorrent,
  verifyHashRun,
} from '../torrent/index.js';
import { PeerConnection, type PeerMessage } from '../wire/index.js';
import { Engine } from './engine.js';

const PIECE = 16384;

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-hashes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const folder = join(dir, 'seed', 'Show');
  mkdirSync(folder, { recursive: true });
  const files = { 'a.bin': randomBytes(1_000_000), 'b.bin': randomBytes(5000) };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);
  const torrent = (await createTorrent(folder, { version: 'v2', pieceLength: PIECE })).torrent;
  const full = parseTorrent(torrent);
  const bare = parseTorrent(torrent);
  bare.pieceLayers.clear(); // as a v2 magnet's metadata: `info` alone
  const engines: Engine[] = [];
  t.after(() => Promise.all(engines.map((e) => e.close())));
  const engine = async () => {
    const e = new Engine({});
    await e.listen(0);
    engines.push(e);
    return e;
  };
  return { dir, files, full, bare, engine };
}

type Mode = 'after-blocks' | 'blocks-late' | 'corrupt' | 'unsolicited';

/**
 * A v2 seed scripted for the test: `have all`, serves blocks from the v2 piece space, and answers
 * hash requests from the full layers: only once every other piece was served (`after-blocks`), with
 * one byte changed (`corrupt`), at once but with blocks only a second later (`blocks-late`), or sends
 * a run nobody asked for at once (`unsolicited`).
 */
async function scriptedSeed(t: TestContext, meta: Metainfo, files: Record<string, Buffer>, mode: Mode) {
  const space = Buffer.alloc(meta.pieceCount * meta.pieceLength);
  Object.values(files).forEach((data, i) => {
    data.copy(space, meta.files[i]!.offset);
  });
  const log: string[] = [];
  let closed: (err: Error | undefined) => void = () => undefined;
  const closedP = new Promise<Error | undefined>((r) => {
    closed = r;
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = new PeerConnection(socket, {
      peerId: Buffer.concat([Buffer.from('-HS0001-'), randomBytes(12)]),
      acceptInfoHash: (hash) => hash.toString('hex') === meta.infoHash,
    });
    const held: PeerMessage[] = [];
    const answer = (m: Extract<PeerMessage, { type: 'hashRequest' }>) => {
      const file = meta.files.find((f) => f.piecesRoot && Buffer.from(f.piecesRoot).equals(m.piecesRoot))!;
      const layer = meta.pieceLayers.get(Buffer.from(file.piecesRoot!).toString('hex'))!;
      const reply = new LayerTree(layer, fileTreeShape(file.length, meta.pieceLength)).answer(m)!;
      if (mode === 'corrupt') reply.hashes[5]! ^= 1;
      log.push('hashes');
      conn.send({ ...m, ...reply, type: 'hashes' });
    };
    conn.on('handshake', () => {
      conn.send({ type: 'haveAll' });
      if (mode === 'unsolicited') {
        const root = meta.files[0]!.piecesRoot!;
        const request = { piecesRoot: root, baseLayer: 0, index: 0, length: 64, proofLayers: 0 };
        conn.send({ type: 'hashes', ...request, hashes: Buffer.alloc(64 * 32), uncles: Buffer.alloc(0) });
      }
    });
    conn.on('message', (m) => {
      if (m.type === 'interested') conn.send({ type: 'unchoke' });
      else if (m.type === 'hashRequest') {
        if (mode === 'after-blocks') held.push(m);
        else answer(m);
      } else if (m.type === 'request') {
        const serve = () => {
          const start = m.index * meta.pieceLength + m.begin;
          conn.sendPiece(m.index, m.begin, space.subarray(start, start + m.length));
          log.push(`piece ${m.index}`);
        };
        if (mode === 'blocks-late') setTimeout(serve, 1000);
        else serve();
      }
      // Every block of every piece served: now the hashes.
      if (mode === 'after-blocks' && log.length >= meta.pieceCount) {
        for (const h of held.splice(0)) answer(h as Extract<PeerMessage, { type: 'hashRequest' }>);
      }
    });
    conn.on('close', (err) => closed(err));
    conn.start();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, log, closed: closedP };
}

function waitComplete(session: { once(e: 'complete', f: () => void): unknown }, ms: number) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not complete in time')), ms);
    session.once('complete', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('BEP 52 hash exchange in the engine', () => {
  it('downloads a v2 torrent without piece layers: pieces that complete first wait for their hashes', async (t) => {
    const { dir, files, full, bare, engine } = await setup(t);
    const seed = await scriptedSeed(t, full, files, 'after-blocks');
    const leecher = await engine();
    const session = await leecher.add(
      { meta: bare },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.port }] },
    );
    await waitComplete(session, 20_000);
    for (const [name, data] of Object.entries(files)) {
      assert.ok(readFileSync(join(dir, 'out', 'Show', name)).equals(data), name);
    }
    const firstHashes = seed.log.indexOf('hashes');
    assert.ok(
      firstHashes >= full.pieceCount,
      `every piece was served before any hash: ${seed.log.slice(0, 5)}`,
    );
    const root = Buffer.from(full.files[0]!.piecesRoot!).toString('hex');
    assert.deepEqual(Buffer.from(bare.pieceLayers.get(root) ?? []), Buffer.from(full.pieceLayers.get(root)!));
  });

  it('a resumed v2 download without piece layers checks the pieces it had once their hashes arrive', async (t) => {
    const { dir, files, full, bare, engine } = await setup(t);
    // Half of a.bin is already there, from an earlier run.
    mkdirSync(join(dir, 'out', 'Show'), { recursive: true });
    const kept = 30 * PIECE;
    writeFileSync(join(dir, 'out', 'Show', 'a.bin'), files['a.bin']!.subarray(0, kept));
    const seed = await scriptedSeed(t, full, files, 'blocks-late');
    const leecher = await engine();
    const session = await leecher.add(
      { meta: bare },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.port }] },
    );
    assert.equal(session.have!.count, 0, 'no hashes yet: nothing of a.bin can be checked at start');
    const early: number[] = [];
    session.on('piece', (i) => {
      if (!seed.log.some((l) => l.startsWith('piece'))) early.push(i);
    });
    await waitComplete(session, 20_000);
    assert.deepEqual(
      early.sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i),
      'the 30 stored pieces passed as soon as the hashes came, before any block',
    );
    assert.ok(readFileSync(join(dir, 'out', 'Show', 'a.bin')).equals(files['a.bin']!));
  });

  it('drops a peer whose hashes do not verify, and one that sends hashes never asked for', async (t) => {
    for (const mode of ['corrupt', 'unsolicited'] as const) {
      const { dir, files, full, bare, engine } = await setup(t);
      const seed = await scriptedSeed(t, full, files, mode);
      const leecher = await engine();
      const session = await leecher.add(
        { meta: bare },
        { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.port }] },
      );
      const reason = await Promise.race([
        seed.closed.then(() => 'dropped'),
        new Promise((r) => setTimeout(() => r('still connected'), 10_000)),
      ]);
      assert.equal(reason, 'dropped', mode);
      const fileA = full.files[0]!;
      const have = session.have!;
      for (let i = 0; i < Math.ceil(fileA.length / PIECE); i++)
        assert.equal(have.has(i), false, `${mode}: piece ${i}`);
    }
  });

  it('a seeding engine answers hash requests with verifiable runs and refuses the rest', async (t) => {
    const { dir, full, bare, engine } = await setup(t);
    const seeder = await engine();
    // The seed's torrent has no layers either: it hashes them from its files.
    await seeder.add({ meta: bare }, { path: join(dir, 'seed'), readOnly: true });
    const peer = await connectFakePeer(seeder.port, full.infoHash);
    t.after(() => peer.close());
    const file = full.files[0]!;
    const shape = fileTreeShape(file.length, PIECE);
    const root = file.piecesRoot!;
    const ask = { piecesRoot: root, baseLayer: 0, index: 0, length: 64, proofLayers: shape.height - 1 };
    peer.conn.send({ type: 'hashRequest', ...ask });
    const got = (await peer.waitFor((m) => m.type === 'hashes')) as Extract<PeerMessage, { type: 'hashes' }>;
    assert.ok(verifyHashRun(root, shape, got), 'the run proves itself against the pieces root');
    const refused = [
      { ...ask, index: 32 }, // not a multiple of the length
      { ...ask, length: 3 },
      { ...ask, index: 64 }, // past the layer
      { ...ask, proofLayers: shape.height }, // past the root
      { ...ask, piecesRoot: Buffer.alloc(32, 7) }, // no such file
      { ...ask, piecesRoot: full.files[1]!.piecesRoot!, length: 2 }, // a one-piece file has no layer
    ];
    for (const request of refused) peer.conn.send({ type: 'hashRequest', ...request });
    await new Promise((r) => setTimeout(r, 300));
    const rejects = peer.received.filter((m) => m.type === 'hashReject');
    assert.equal(rejects.length, refused.length);
    assert.ok(peer.conn.open, 'odd requests are refused, not punished');
  });

  it('answers every request of a burst read in one turn, though the answers are corked together', async (t) => {
    const { dir, full, bare, engine } = await setup(t);
    const seeder = await engine();
    await seeder.add({ meta: bare }, { path: join(dir, 'seed'), readOnly: true });
    const peer = await connectFakePeer(seeder.port, full.infoHash);
    t.after(() => peer.close());
    const file = full.files[0]!;
    const shape = fileTreeShape(file.length, PIECE);
    const ask = {
      piecesRoot: file.piecesRoot!,
      baseLayer: 0,
      index: 0,
      length: 64,
      proofLayers: shape.height - 1,
    };
    peer.conn.send({ type: 'hashRequest', ...ask }); // the seed hashes its layer once
    await peer.waitFor((m) => m.type === 'hashes');
    // 16 more in one write: about 2 KiB each, more than a socket's 16 KiB high-water mark in all.
    peer.conn.socket.cork();
    for (let i = 0; i < 16; i++) peer.conn.send({ type: 'hashRequest', ...ask });
    peer.conn.socket.uncork();
    const deadline = Date.now() + 5000;
    const count = (type: string) => peer.received.filter((m) => m.type === type).length;
    while (Date.now() < deadline && count('hashes') + count('hashReject') < 17)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(count('hashReject'), 0, 'a request was refused');
    assert.equal(count('hashes'), 17);
  });

  it('answers block hashes (below the piece layer) from the piece they lie in', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-hashes-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'seed', 'Show'), { recursive: true });
    writeFileSync(join(dir, 'seed', 'Show', 'a.bin'), randomBytes(1_000_000));
    writeFileSync(join(dir, 'seed', 'Show', 'b.bin'), randomBytes(100));
    const meta = parseTorrent(
      (await createTorrent(join(dir, 'seed', 'Show'), { version: 'v2', pieceLength: 65536 })).torrent,
    );
    const seeder = new Engine({});
    await seeder.listen(0);
    t.after(() => seeder.close());
    await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const peer = await connectFakePeer(seeder.port, meta.infoHash);
    t.after(() => peer.close());
    const file = meta.files[0]!;
    const shape = fileTreeShape(file.length, 65536); // 4 blocks a piece: the piece layer is layer 2
    const root = file.piecesRoot!;
    const asks = [
      { piecesRoot: root, baseLayer: 0, index: 8, length: 4, proofLayers: shape.height - 1 }, // piece 2
      { piecesRoot: root, baseLayer: 0, index: 58, length: 2, proofLayers: shape.height - 1 }, // inside piece 14
      { piecesRoot: root, baseLayer: 1, index: 30, length: 2, proofLayers: shape.height - 2 }, // the last piece
    ];
    for (const ask of asks) {
      peer.conn.send({ type: 'hashRequest', ...ask });
      const got = (await peer.waitFor(
        (m) => m.type === 'hashes' && m.index === ask.index && m.baseLayer === ask.baseLayer,
      )) as Extract<PeerMessage, { type: 'hashes' }>;
      assert.ok(verifyHashRun(root, shape, got), `run ${ask.baseLayer}:${ask.index}+${ask.length}`);
    }
    peer.conn.send({
      type: 'hashRequest',
      piecesRoot: root,
      baseLayer: 0,
      index: 0,
      length: 8,
      proofLayers: 5,
    });
    await peer.waitFor((m) => m.type === 'hashReject', 3000); // two pieces' blocks in one run
  });
});
