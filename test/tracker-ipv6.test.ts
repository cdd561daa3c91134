/**
 * IPv6 end to end: over HTTP a peer on ::1 is handed out in `peers6` (BEP 7, 18 bytes each) and an
 * IPv4 peer of the same swarm in `peers`; over UDP (BEP 15) an announce from ::1 gets 18-byte
 * entries. A dual-stack socket sees IPv4 clients as IPv4-mapped and treats them as IPv4.
 */

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { decode, isBytes, isDict } from '../src/bencode/index.js';
import { type RunningTracker, startTracker } from '../src/tracker/index.js';

const HASH = Buffer.alloc(20, 0x66);
const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
let tracker: RunningTracker;

async function httpAnnounce(host: string, peer: string, port: number) {
  const url = `http://${host}:${tracker.port}/announce?info_hash=${enc(HASH)}&peer_id=${peer.padEnd(20, '.')}&port=${port}&left=9`;
  const d = decode(Buffer.from(await (await fetch(url)).arrayBuffer()));
  assert.ok(isDict(d));
  const v4 = d.get('peers');
  const v6 = d.get('peers6');
  return {
    v4: isBytes(v4) ? Buffer.from(v4) : Buffer.alloc(0),
    v6: isBytes(v6) ? Buffer.from(v6) : Buffer.alloc(0),
  };
}

async function udpExchange(socket: Socket, msg: Buffer, host: string): Promise<Buffer> {
  const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
  socket.send(msg, tracker.port, host);
  return answer;
}

describe('tracker over IPv6', () => {
  before(async () => {
    tracker = await startTracker({ host: '::', port: 0 });
  });
  after(async () => tracker.close());

  test('HTTP: an IPv6 peer comes back in peers6, an IPv4 peer in peers', async () => {
    await httpAnnounce('[::1]', 'six', 6000);
    await httpAnnounce('127.0.0.1', 'four', 4000);
    const res = await httpAnnounce('[::1]', 'asker', 7000);
    assert.equal(res.v6.length, 18);
    assert.deepEqual(
      [...res.v6.subarray(0, 16)],
      [...Buffer.from('00000000000000000000000000000001', 'hex')],
    );
    assert.equal(res.v6.readUInt16BE(16), 6000);
    assert.deepEqual(
      [...res.v4],
      [127, 0, 0, 1, 4000 >> 8, 4000 & 0xff],
      'the dual-stack socket saw 127.0.0.1',
    );
  });

  test('UDP: an announce from ::1 is answered with 18-byte peers', async () => {
    const socket = createSocket('udp6');
    await new Promise<void>((r) => socket.bind(0, '::1', () => r()));
    try {
      const connect = Buffer.alloc(16);
      connect.writeBigUInt64BE(0x41727101980n, 0);
      connect.writeUInt32BE(5, 12);
      const cid = (await udpExchange(socket, connect, '::1')).subarray(8, 16);
      const announce = Buffer.alloc(98);
      cid.copy(announce, 0);
      announce.writeUInt32BE(1, 8);
      announce.writeUInt32BE(6, 12);
      HASH.copy(announce, 16);
      announce.write('-UDP6-00000000000000', 36, 'latin1');
      announce.writeBigInt64BE(5n, 64);
      announce.writeInt32BE(-1, 92);
      announce.writeUInt16BE(6881, 96);
      const res = await udpExchange(socket, announce, '::1');
      assert.equal(res.readUInt32BE(0), 1);
      const peers = res.subarray(20);
      assert.equal(peers.length % 18, 0, 'entries are 18 bytes');
      assert.ok(peers.length >= 18 * 2, 'both IPv6 peers of the swarm');
      assert.equal(peers.subarray(0, 16).toString('hex'), '00000000000000000000000000000001');
    } finally {
      socket.close();
    }
  });
});
