/**
 * The native announce fast path (`native/udp_fast.c`) on real loopback sockets, against the native
 * store: it answers what JavaScript would answer, shares the swarms with the HTTP side, counts into
 * the metrics, leaves everything it cannot answer exactly (unknown connection ids, malformed
 * options, hashes off the allow list, answers too long for a slot) to JavaScript, and follows the
 * allow list when it changes.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import { allowSet } from '../../service/allow-list.js';
import { TrackerService } from '../../service/service.js';
import { NativeStore, nativeStoreSupport } from '../../stores/native-store.js';
import { id20, v4 } from '../../stores/store-contract.js';
import { ConnectionIds } from './connection-id.js';
import { type BatchUdpSocket, serveUdpBatch, udpBatchSupport } from './udp-batch.js';

const support = udpBatchSupport();
const storeSupport = nativeStoreSupport();
const reason = !support.ok ? support.reason : !storeSupport.ok ? storeSupport.reason : undefined;
const skip = reason ? `native fast path unavailable: ${reason}` : false;
if (reason) {
  if (process.env.CI === 'true') throw new Error(`CI: ${skip}`);
  console.warn(`\n*** SKIPPING native UDP fast path tests: ${reason} ***\n`);
}

const PROTOCOL_ID = 0x41727101980n;

/** A UDP client that sends one datagram at a time and waits for the answer. */
class Client {
  private readonly got: Buffer[] = [];
  private constructor(
    readonly socket: Socket,
    private readonly host: string,
    private readonly port: number,
  ) {
    socket.on('message', (m) => this.got.push(m));
  }

  static async open(type: 'udp4' | 'udp6', host: string, port: number): Promise<Client> {
    const socket = createSocket(type);
    await new Promise<void>((r) => socket.bind(0, host, () => r()));
    return new Client(socket, host, port);
  }

  async ask(msg: Buffer, ms = 2000): Promise<Buffer> {
    const before = this.got.length;
    this.socket.send(msg, this.port, this.host);
    const end = Date.now() + ms;
    while (this.got.length === before) {
      if (Date.now() > end) throw new Error('no answer');
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.got[before]!;
  }

  async connect(): Promise<Buffer> {
    const msg = Buffer.alloc(16);
    msg.writeBigUInt64BE(PROTOCOL_ID, 0);
    msg.writeUInt32BE(0, 8);
    msg.writeUInt32BE(77, 12);
    const answer = await this.ask(msg);
    assert.equal(answer.readUInt32BE(0), 0, 'a connect answer');
    return answer.subarray(8, 16);
  }

  close(): void {
    this.socket.close();
  }
}

interface Announce {
  id: Buffer;
  infoHash: Buffer;
  peerId: Buffer;
  event?: number;
  left?: bigint;
  downloaded?: bigint;
  numwant?: number;
  port?: number;
  tid?: number;
  options?: Buffer;
}

function announce(a: Announce): Buffer {
  const msg = Buffer.alloc(98);
  a.id.copy(msg, 0);
  msg.writeUInt32BE(1, 8);
  msg.writeUInt32BE(a.tid ?? 1234, 12);
  a.infoHash.copy(msg, 16);
  a.peerId.copy(msg, 36);
  msg.writeBigInt64BE(a.downloaded ?? 0n, 56);
  msg.writeBigInt64BE(a.left ?? 100n, 64);
  msg.writeBigInt64BE(0n, 72);
  msg.writeUInt32BE(a.event ?? 2, 80);
  msg.writeUInt32BE(0, 84);
  msg.writeUInt32BE(99, 88);
  msg.writeInt32BE(a.numwant ?? -1, 92);
  msg.writeUInt16BE(a.port ?? 6881, 96);
  return a.options ? Buffer.concat([msg, a.options]) : msg;
}

interface Answer {
  action: number;
  tid: number;
  interval: number;
  leechers: number;
  seeders: number;
  peers: Buffer;
}

function parse(answer: Buffer): Answer {
  return {
    action: answer.readUInt32BE(0),
    tid: answer.readUInt32BE(4),
    interval: answer.length >= 20 ? answer.readUInt32BE(8) : 0,
    leechers: answer.length >= 20 ? answer.readUInt32BE(12) : 0,
    seeders: answer.length >= 20 ? answer.readUInt32BE(16) : 0,
    peers: answer.subarray(20),
  };
}

function sum(counts: number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}

describe('native UDP announce fast path', { skip }, () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function tracker(
    options: { allow?: ReturnType<typeof allowSet>; host?: string } = {},
  ): Promise<{ service: TrackerService; socket: BatchUdpSocket; port: number; store: NativeStore }> {
    const store = new NativeStore();
    const service = new TrackerService({ store, interval: 1200, allow: options.allow });
    const socket = serveUdpBatch(options.host ?? '127.0.0.1', 0, service);
    closers.push(() => service.close());
    closers.push(() => socket.close());
    return { service, socket, port: socket.port, store };
  }

  async function client(port: number, host = '127.0.0.1'): Promise<Client> {
    const c = await Client.open(host.includes(':') ? 'udp6' : 'udp4', host, port);
    closers.push(() => c.close());
    return c;
  }

  test('answers announces in C, as JavaScript would, and counts them into the metrics', async () => {
    const { service, socket, port } = await tracker();
    const hash = Buffer.alloc(20, 7);
    // A peer already there (through the service, as HTTP would add it).
    await service.announce({
      infoHash: hash,
      peerId: id20('http-peer'),
      ip: v4('10.1.2.3'),
      port: 5000,
      uploaded: 0,
      downloaded: 0,
      left: 0,
      event: 'started',
      numwant: 0,
      key: 0,
      wantPeerIds: false,
      transport: 'http',
    });
    const c = await client(port);
    const id = await c.connect();
    const before = sum(socket.fastCounts());
    const a = parse(await c.ask(announce({ id, infoHash: hash, peerId: id20('udp-peer'), tid: 4242 })));
    assert.deepEqual(
      [a.action, a.tid, a.interval, a.leechers, a.seeders],
      [1, 4242, 1200, 1, 1],
      'the answer counts both peers (1 seeder from HTTP, this leecher)',
    );
    assert.equal(
      a.peers.toString('hex'),
      Buffer.concat([v4('10.1.2.3'), Buffer.from([0x13, 0x88])]).toString('hex'),
    );
    assert.deepEqual(socket.fastCounts(), [0, 1, 0, 0], 'answered by the fast path, as a started event');
    assert.equal(sum(socket.fastCounts()), before + 1);
    const text = service.metrics.render(await service.store.size());
    assert.match(text, /seedcast_tracker_announces_total\{transport="udp",event="started"\} 1\n/);
    // The HTTP side sees the peer the fast path added.
    const seen = await service.scrape({ infoHashes: [hash], transport: 'http' });
    assert.deepEqual([seen.files[0]!.counts.complete, seen.files[0]!.counts.incomplete], [1, 1]);
  });

  test('a seeder that completes is counted once; stopped removes the peer', async () => {
    const { socket, port, service } = await tracker();
    const hash = Buffer.alloc(20, 8);
    const c = await client(port);
    const id = await c.connect();
    const me = id20('me');
    await c.ask(announce({ id, infoHash: hash, peerId: me, event: 2 }));
    let a = parse(
      await c.ask(announce({ id, infoHash: hash, peerId: me, event: 1, left: 0n, downloaded: 100n })),
    );
    assert.deepEqual([a.seeders, a.leechers], [1, 0]);
    a = parse(
      await c.ask(announce({ id, infoHash: hash, peerId: me, event: 0, left: 0n, downloaded: 100n })),
    );
    const counts = await service.scrape({ infoHashes: [hash], transport: 'udp' });
    assert.equal(counts.files[0]!.counts.downloaded, 1);
    a = parse(await c.ask(announce({ id, infoHash: hash, peerId: me, event: 3 })));
    assert.deepEqual([a.action, a.seeders, a.leechers, a.peers.length], [1, 0, 0, 0]);
    assert.deepEqual(socket.fastCounts(), [1, 1, 1, 1]);
  });

  test('leaves unknown ids, bad options and hashes off the allow list to JavaScript', async () => {
    const allow = allowSet(new Set([Buffer.alloc(20, 1).toString('hex')]));
    const { socket, port } = await tracker({ allow });
    const c = await client(port);
    // An id never issued: JavaScript refuses it (BEP 15 error, action 3).
    const forged = parse(
      await c.ask(announce({ id: Buffer.alloc(8, 9), infoHash: Buffer.alloc(20, 1), peerId: id20('x') })),
    );
    assert.equal(forged.action, 3, 'a forged connection id is refused');
    const id = await c.connect();
    // BEP 41 option that runs past the end: refused by JavaScript as malformed.
    const bad = parse(
      await c.ask(
        announce({
          id,
          infoHash: Buffer.alloc(20, 1),
          peerId: id20('x'),
          options: Buffer.from([2, 50, 0x2f]),
        }),
      ),
    );
    assert.equal(bad.action, 3);
    // Good options (URL data "/ann", then END) are answered in C.
    const good = parse(
      await c.ask(
        announce({
          id,
          infoHash: Buffer.alloc(20, 1),
          peerId: id20('x'),
          options: Buffer.from([2, 4, 0x2f, 0x61, 0x6e, 0x6e, 0]),
        }),
      ),
    );
    assert.equal(good.action, 1);
    assert.deepEqual(socket.fastCounts(), [0, 1, 0, 0]);
    // Not on the allow list: refused, by JavaScript.
    const other = Buffer.alloc(20, 2);
    const refused = await c.ask(announce({ id, infoHash: other, peerId: id20('x') }));
    assert.equal(refused.readUInt32BE(0), 3);
    assert.match(refused.subarray(8).toString(), /not tracked here/);
    // Once the list holds it, the fast path answers it.
    allow.update(new Set([Buffer.alloc(20, 1).toString('hex'), other.toString('hex')]));
    const now = parse(await c.ask(announce({ id, infoHash: other, peerId: id20('x') })));
    assert.equal(now.action, 1);
    assert.deepEqual(socket.fastCounts(), [0, 2, 0, 0]);
    // And a negative "left" is JavaScript's to refuse.
    const negative = parse(await c.ask(announce({ id, infoHash: other, peerId: id20('x'), left: -5n })));
    assert.equal(negative.action, 3);
  });

  test('an id issued before the fast path was on is learnt when JavaScript verifies it', async () => {
    const store = new NativeStore();
    const service = new TrackerService({ store });
    const ids = new ConnectionIds();
    const socket = serveUdpBatch('127.0.0.1', 0, service, { fastPath: false, connectionIds: ids });
    closers.push(() => service.close());
    closers.push(() => socket.close());
    const c = await client(socket.port);
    const id = await c.connect();
    socket.enableFastPath(store, ids, service.fastPathRules()!);
    const hash = Buffer.alloc(20, 3);
    assert.equal(parse(await c.ask(announce({ id, infoHash: hash, peerId: id20('y') }))).action, 1);
    assert.deepEqual(socket.fastCounts(), [0, 0, 0, 0], 'the first announce went through JavaScript');
    assert.equal(parse(await c.ask(announce({ id, infoHash: hash, peerId: id20('y'), event: 0 }))).action, 1);
    assert.deepEqual(socket.fastCounts(), [1, 0, 0, 0], 'the next one was answered in C');
  });

  test('garbage after a good connection id is answered or refused, never crashes the tracker', async () => {
    const { socket, port } = await tracker();
    const c = await client(port);
    const id = await c.connect();
    const hash = Buffer.alloc(20, 5);
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      // An announce with random bytes everywhere but the id, the action and the transaction id;
      // sometimes longer than 98 bytes, with random "options" after it.
      const msg = randomBytes(98 + (i % 3 === 0 ? i % 200 : 0));
      id.copy(msg, 0);
      msg.writeUInt32BE(1, 8);
      msg.writeUInt32BE(i, 12);
      if (i % 2 === 0) {
        // Half of them plausible: a known swarm, amounts not negative, a real event, a port.
        hash.copy(msg, 16);
        for (const at of [56, 64, 72]) msg[at]! &= 0x7f;
        msg.writeUInt32BE(i % 4, 80);
        msg.writeUInt16BE(1 + (i % 60000), 96);
        if (msg.length > 98) msg[98] = 0;
      }
      const answer = await c.ask(msg);
      assert.equal(answer.readUInt32BE(4), i, 'the answer carries the transaction id');
      const action = answer.readUInt32BE(0);
      assert.ok(action === 1 || action === 3, `action ${action}`);
      if (action === 1) answered++;
    }
    assert.ok(answered > 0, 'some random announces were valid and answered');
    assert.ok(sum(socket.fastCounts()) <= answered, 'the fast path answered only valid ones');
    // Still answering properly afterwards.
    const ok = parse(await c.ask(announce({ id, infoHash: hash, peerId: id20('after') })));
    assert.equal(ok.action, 1);
  });

  test('IPv6 senders get IPv6 peers; an answer longer than a slot still goes out', async () => {
    const { socket, port, store } = await tracker({ host: '::1' });
    const hash = Buffer.alloc(20, 4);
    // 150 IPv6 peers: 150 * 18 + 20 bytes is more than a 2048-byte slot.
    for (let i = 0; i < 150; i++) {
      const ip = Buffer.alloc(16);
      ip[0] = 0x20;
      ip[1] = 0x01;
      ip[15] = i + 1;
      store.announce({
        infoHash: hash,
        peerId: id20(`v6-${i}`),
        ip,
        port: 7000 + i,
        key: 0,
        seeder: true,
        event: 'started',
        numwant: 0,
        wantPeerIds: false,
        otherFamily: false,
        now: Math.floor(Date.now() / 1000),
      });
    }
    const c = await client(port, '::1');
    const id = await c.connect();
    const me6 = id20('me6');
    const few = parse(await c.ask(announce({ id, infoHash: hash, peerId: me6, numwant: 10 })));
    assert.deepEqual([few.action, few.seeders, few.leechers, few.peers.length], [1, 150, 1, 10 * 18]);
    assert.deepEqual(socket.fastCounts(), [0, 1, 0, 0]);
    const many = parse(await c.ask(announce({ id, infoHash: hash, peerId: me6, numwant: 200, event: 0 })));
    assert.deepEqual([many.action, many.peers.length], [1, 150 * 18], 'every peer, in one datagram');
    assert.deepEqual(socket.fastCounts(), [0, 1, 0, 0], 'that one was JavaScript’s');
  });
});
