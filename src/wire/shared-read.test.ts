import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { PeerConnection } from './connection.js';
import type { PeerMessage } from './peer-message.js';
import { sharedRead } from './shared-read.js';

const infoHash = Buffer.alloc(20, 0x22);
const idA = Buffer.from('-SC0001-aaaaaaaaaaaa');
const idB = Buffer.from('-SC0001-bbbbbbbbbbbb');
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

describe('PeerConnection over a shared read buffer (onread)', () => {
  it('delivers every block intact and the other messages as copies that outlive the buffer', {
    timeout: 30_000,
  }, async () => {
    const blocks = Array.from({ length: 300 }, () => randomBytes(16 * 1024));
    const bitfield = randomBytes(40);
    const server = createServer((socket) => {
      const seeder = new PeerConnection(socket, { peerId: idB, acceptInfoHash: (h) => h.equals(infoHash) });
      seeder.once('handshake', () => {
        seeder.send({ type: 'bitfield', bitfield });
        seeder.send({ type: 'unchoke' });
        // Odd-sized messages in between, so messages straddle reads at every offset.
        for (const [i, block] of blocks.entries()) {
          seeder.sendPiece(i, 0, block);
          if (i % 7 === 0) seeder.send({ type: 'have', index: i });
        }
      });
      seeder.start();
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;

    const onread = sharedRead();
    const socket = connect({ host: '127.0.0.1', port, onread });
    const conn = new PeerConnection(socket, { peerId: idA, infoHash, sharedRead: onread });
    const kept: PeerMessage[] = [];
    const got: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      conn.on('message', (m) => {
        if (m.type === 'piece') {
          got[m.index] = Buffer.from(m.block); // valid only now: copied
          if (got.filter(Boolean).length === blocks.length) resolve();
        } else {
          kept.push(m); // kept as is: must not change when the buffer is read into again
        }
      });
    });
    conn.start();
    await done;
    conn.destroy();
    for (const [i, block] of blocks.entries()) assert.ok(got[i]!.equals(block), `block ${i}`);
    const first = kept.find((m) => m.type === 'bitfield');
    assert.ok(first?.type === 'bitfield' && Buffer.from(first.bitfield).equals(bitfield), 'bitfield intact');
    const haves = kept.flatMap((m) => (m.type === 'have' ? [m.index] : []));
    assert.deepEqual(
      haves,
      blocks.map((_, i) => i).filter((i) => i % 7 === 0),
    );
  });
});
