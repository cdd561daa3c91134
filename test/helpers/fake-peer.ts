/**
 * A scripted BitTorrent peer for hostile-input tests: a real TCP connection (node:net) speaking the
 * project's wire codec (`PeerConnection`, BEP 3/6/10), driven by the test: it sends what the test
 * says (a bitfield or have all, unsolicited or requested blocks) and records what the other side
 * sends (requests above all) and when it closes the connection.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { type PeerConnection as Conn, PeerConnection, type PeerMessage } from '../../src/wire/index.js';

export interface FakePeer {
  conn: Conn;
  /** Every message received so far, in order. */
  received: PeerMessage[];
  /** Requests received so far. */
  requests(): Extract<PeerMessage, { type: 'request' }>[];
  /** Resolves with the close reason once the other side drops us (or we close). */
  closed: Promise<Error | undefined>;
  /** Resolves with the first message matching `test` (rejects after `ms` or on close). */
  waitFor(test: (m: PeerMessage) => boolean, ms?: number): Promise<PeerMessage>;
  /** Announce every piece: `have all` when Fast was negotiated, else a full bitfield. */
  haveAll(pieceCount: number): void;
  close(): void;
}

/** Connects to the peer at `127.0.0.1:port` for `infoHash` (hex) and completes the handshake. */
export async function connectFakePeer(port: number, infoHash: string): Promise<FakePeer> {
  const socket = connect(port, '127.0.0.1');
  const conn = new PeerConnection(socket, {
    peerId: Buffer.concat([Buffer.from('-FK0001-'), randomBytes(12)]),
    infoHash: Buffer.from(infoHash, 'hex'),
  });
  const received: PeerMessage[] = [];
  const listeners = new Set<() => void>();
  conn.on('message', (m) => {
    received.push(m);
    for (const l of listeners) l();
  });
  const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
  conn.start();
  await Promise.race([
    once(conn, 'handshake'),
    closed.then((err) => {
      throw new Error(`closed during the handshake: ${err?.message}`);
    }),
  ]);
  return {
    conn,
    received,
    requests: () =>
      received.filter((m): m is Extract<PeerMessage, { type: 'request' }> => m.type === 'request'),
    closed,
    waitFor(test, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = received.find(test);
          if (m) {
            finish();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no such message within ${ms} ms; got ${received.map((r) => r.type).join(',')}`));
        }, ms);
        const onClose = () => {
          finish();
          reject(new Error('connection closed while waiting'));
        };
        function finish() {
          clearTimeout(timer);
          listeners.delete(check);
          conn.off('close', onClose);
        }
        listeners.add(check);
        conn.once('close', onClose);
        check();
      });
    },
    haveAll(pieceCount) {
      if (conn.remote?.negotiated.fast) conn.send({ type: 'haveAll' });
      else {
        const bits = Buffer.alloc(Math.ceil(pieceCount / 8));
        for (let i = 0; i < pieceCount; i++) bits[i >> 3]! |= 0x80 >> (i & 7);
        conn.send({ type: 'bitfield', bitfield: bits });
      }
    },
    close: () => conn.destroy(),
  };
}
