/**
 * Magnet links and super-seeding (issue 16): a super-seed reveals pieces with `have`s, which a magnet
 * client receives before it has the metadata. Both sides are covered over real loopback sockets:
 * - a super-seeding `Engine` announces the pieces it revealed again once a peer was sent the whole
 *   metadata, and again to a peer that takes nothing (a client that dropped the first `have`s);
 * - a magnet session of ours keeps the `have`s (and `have none`) received before the metadata and
 *   applies them once it knows the piece count, so it completes from a seed that says them once.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connectFakePeer } from '../../test/helpers/fake-peer.js';
import { createTorrent, type Metainfo, parseTorrent } from '../torrent/index.js';
import { metadataPiece, metadataPieceCount, PeerConnection, type PeerMessage } from '../wire/index.js';
import { Engine } from './engine.js';

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-ss-magnet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(2_000_000);
  writeFileSync(join(dir, 'seed', 'clip.webm'), data);
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'clip.webm'), { version: 'v1', pieceLength: 32768 })).torrent,
  );
  const engines: Engine[] = [];
  t.after(() => Promise.all(engines.map((e) => e.close())));
  const engine = async (options: { superSeed?: boolean } = {}) => {
    const e = new Engine(options);
    await e.listen(0);
    engines.push(e);
    return e;
  };
  return { dir, data, meta, engine };
}

const haves = (ms: PeerMessage[]) =>
  ms.flatMap((m) => (m.type === 'have' ? [m.index] : [])).sort((a, b) => a - b);

describe('super-seeding and magnet links', () => {
  it('a super-seed announces its revealed pieces again once the peer has the metadata, and to an idle peer', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine({ superSeed: true });
    await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    // A magnet client: no geometry, asks for the metadata over ut_metadata.
    const peer = await connectFakePeer(seeder.port, meta.infoHash);
    t.after(() => peer.close());
    peer.conn.sendExtendedHandshake({});
    await peer.waitFor((m) => m.type === 'extendedHandshake');
    const size = peer.conn.remoteExtended?.metadataSize;
    assert.equal(size, meta.infoBytes.byteLength, 'the super-seed offers its metadata');
    await peer.waitFor((m) => m.type === 'have');
    await new Promise((r) => setTimeout(r, 200)); // every first have
    const revealed = haves(peer.received);
    assert.ok(revealed.length >= 2, `pieces revealed: ${revealed}`);
    for (let piece = 0; piece < metadataPieceCount(size!); piece++)
      peer.conn.sendMetadata({ kind: 'request', piece });
    const lastData = await peer.waitFor(
      (m) =>
        m.type === 'metadata' &&
        m.message.kind === 'data' &&
        m.message.piece === metadataPieceCount(size!) - 1,
    );
    const at = peer.received.indexOf(lastData);
    // The haves that came before are lost to a client without metadata: they come again after it.
    await peer.waitFor((m) => m.type === 'have' && peer.received.indexOf(m) > at);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(haves(peer.received.slice(at)), revealed, 'the same pieces, announced again');

    // Still nothing taken: announced once more about 2 s later.
    const before = peer.received.length;
    const again = await peer.waitFor((m) => m.type === 'have' && peer.received.indexOf(m) >= before, 5000);
    assert.ok(revealed.includes((again as { index: number }).index));

    // And the pieces are served once asked for.
    peer.conn.send({ type: 'interested' });
    await peer.waitFor((m) => m.type === 'unchoke');
    peer.conn.send({ type: 'request', index: revealed[0]!, begin: 0, length: 16384 });
    const block = await peer.waitFor((m) => m.type === 'piece');
    assert.equal((block as { index: number }).index, revealed[0]);
  });

  it("a magnet session keeps a seed's haves that arrive before the metadata", async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seed = await scriptedSeed(t, meta, data);
    const leecher = await engine();
    const got = await leecher.add(
      { infoHash: meta.infoHash },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.port }] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stalled at ${got.stats().downloaded} bytes`)), 20_000);
      got.once('complete', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    assert.ok(readFileSync(join(dir, 'out', 'clip.webm')).equals(data));
    assert.equal(seed.haveMessages(), meta.pieceCount, 'the seed said each piece once, before the metadata');
  });
});

/**
 * A seed that says what it has once, the way a super-seed does: `have none` and a `have` per piece
 * right after the handshake (before the client can have the metadata), then serves the metadata
 * and blocks. It never announces anything again.
 */
async function scriptedSeed(t: TestContext, meta: Metainfo, data: Buffer) {
  let sent = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = new PeerConnection(socket, {
      peerId: Buffer.concat([Buffer.from('-SS0001-'), randomBytes(12)]),
      acceptInfoHash: (hash) => hash.toString('hex') === meta.infoHash,
    });
    conn.on('handshake', () => {
      conn.sendExtendedHandshake({ metadataSize: meta.infoBytes.byteLength });
      if (conn.remote!.negotiated.fast) conn.send({ type: 'haveNone' });
      for (let index = 0; index < meta.pieceCount; index++) {
        conn.send({ type: 'have', index });
        sent++;
      }
    });
    conn.on('message', (m) => {
      if (m.type === 'metadata' && m.message.kind === 'request') {
        const piece = m.message.piece;
        const bytes = metadataPiece(meta.infoBytes, piece);
        conn.sendMetadata({ kind: 'data', piece, totalSize: meta.infoBytes.byteLength, data: bytes });
      } else if (m.type === 'interested') {
        conn.send({ type: 'unchoke' });
      } else if (m.type === 'request') {
        const start = m.index * meta.pieceLength + m.begin;
        conn.sendPiece(m.index, m.begin, data.subarray(start, start + m.length));
      }
    });
    conn.start();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, haveMessages: () => sent };
}
