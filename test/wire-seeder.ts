/**
 * Helpers for the wire interop tests (not a test itself): a torrent made by mktorrent, a minimal
 * seeder built on `PeerConnection` alone (answers ut_metadata and block requests from memory), and a
 * tiny HTTP tracker (BEP 3, compact peers per BEP 23) that points clients at that seeder.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { decodeWithSpans, encode, isBytes, isDict } from '../src/bencode/index.js';
import { isSeedcastError } from '../src/errors.js';
import { metadataPiece, PeerConnection, pieceGeometry } from '../src/wire/index.js';

export interface TestTorrent {
  content: Buffer;
  pieceLength: number;
  infoBytes: Buffer;
  infoHash: Buffer;
  hashes: Uint8Array;
  torrentPath: string;
}

/** A file of 4 pieces of 256 KiB and a short last one of 1234 bytes in `dir`, and its torrent. */
export function makeTorrent(dir: string, options: { announce?: string } = {}): TestTorrent {
  const pieceLength = 256 * 1024;
  const content = randomBytes(4 * pieceLength + 1234);
  writeFileSync(join(dir, 'data.bin'), content);
  const torrentPath = join(dir, 'data.torrent');
  const args = ['-l', '18', '-o', torrentPath, join(dir, 'data.bin')];
  if (options.announce) args.unshift('-a', options.announce);
  const made = spawnSync('mktorrent', args);
  assert.equal(made.status, 0, made.stderr?.toString());
  const torrent = readFileSync(torrentPath);
  const { value, spans } = decodeWithSpans(torrent);
  const span = spans.get('info')!;
  const infoBytes = torrent.subarray(span.start, span.end);
  assert.ok(isDict(value));
  const info = value.get('info');
  assert.ok(isDict(info));
  const hashes = info.get('pieces');
  assert.ok(isBytes(hashes));
  return {
    content,
    pieceLength,
    infoBytes,
    infoHash: createHash('sha1').update(infoBytes).digest(),
    hashes,
    torrentPath,
  };
}

/** A bitfield with every one of `pieceCount` pieces set and the spare bits clear. */
export function fullBitfield(pieceCount: number): Buffer {
  const bitfield = Buffer.alloc(Math.ceil(pieceCount / 8), 0xff);
  const spare = bitfield.length * 8 - pieceCount;
  bitfield[bitfield.length - 1] = (0xff << spare) & 0xff;
  return bitfield;
}

/**
 * A seeder made of `PeerConnection`s only: announces every piece, offers the metadata, unchokes
 * whoever is interested and answers every request. `errors` collects the wire errors it dropped
 * peers for; `completed` resolves once a downloader has sent `have` for every piece.
 */
export async function startWireSeeder(torrent: TestTorrent, options: { host?: string } = {}) {
  const { content, pieceLength, infoBytes, infoHash } = torrent;
  const geometry = pieceGeometry(content.length, pieceLength);
  const served = { handshakes: 0, metadata: 0, blocks: 0, clients: new Set<string>() };
  const errors: Error[] = [];
  // Pieces the downloader has announced with `have`: once all are in, it has everything.
  const haves = new Set<number>();
  let allHave!: () => void;
  const completed = new Promise<void>((resolve) => {
    allHave = resolve;
  });
  const server = createServer((socket) => {
    const conn = new PeerConnection(socket, {
      peerId: Buffer.from('-SC0001-interop-seed'),
      acceptInfoHash: (h) => h.equals(infoHash),
      geometry,
    });
    conn.on('handshake', (remote) => {
      served.handshakes++;
      if (remote.negotiated.fast) conn.send({ type: 'haveAll' });
      else conn.send({ type: 'bitfield', bitfield: fullBitfield(geometry.pieceCount) });
      if (remote.negotiated.extended) {
        conn.sendExtendedHandshake({ metadataSize: infoBytes.length, v: 'Seedcast test' });
      }
    });
    conn.on('message', (m) => {
      if (m.type === 'extendedHandshake' && m.handshake.v) served.clients.add(m.handshake.v);
      if (m.type === 'interested') conn.send({ type: 'unchoke' });
      if (m.type === 'have') {
        haves.add(m.index);
        if (haves.size === geometry.pieceCount) allHave();
      }
      if (m.type === 'request') {
        const start = m.index * pieceLength + m.begin;
        conn.sendPiece(m.index, m.begin, content.subarray(start, start + m.length));
        served.blocks++;
      }
      if (m.type === 'metadata' && m.message.kind === 'request') {
        const { piece } = m.message;
        conn.sendMetadata({
          kind: 'data',
          piece,
          totalSize: infoBytes.length,
          data: metadataPiece(infoBytes, piece),
        });
        served.metadata++;
      }
    });
    conn.on('close', (err) => {
      if (isSeedcastError(err)) errors.push(err);
    });
    conn.start();
  });
  server.listen(0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { port, served, errors, completed, close: () => server.close() };
}

/** Wire errors other than the encrypted first attempt (MSE) that clients retry in the clear. */
export function unexpectedErrors(errors: Error[]): Error[] {
  return errors.filter((e) => !(isSeedcastError(e, 'WIRE_HANDSHAKE') && /not a plaintext/.test(e.message)));
}

/** An HTTP tracker that answers every announce with one compact peer: `host` (127.0.0.1):`peerPort`. */
export async function startTinyTracker(peerPort: number, options: { host?: string } = {}) {
  let announces = 0;
  const octets = (options.host ?? '127.0.0.1').split('.').map(Number);
  const peer = Buffer.from([...octets, peerPort >> 8, peerPort & 0xff]);
  const server = createHttpServer((_req, res) => {
    announces++;
    res.setHeader('content-type', 'text/plain');
    res.end(encode({ interval: 60, 'min interval': 5, peers: peer }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/announce`,
    announces: () => announces,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
