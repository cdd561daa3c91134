/**
 * The batched native UDP socket (`udp-batch.ts`, `native/udp_batch.c`) on real loopback sockets:
 * bursts larger than one batch, answers given later, datagrams longer than a slot, IPv6 and
 * dual-stack senders, a handler that throws, close and rebind; and the choice between it and dgram.
 */

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import { isSeedcastError } from '../../../errors.js';
import { BatchUdpSocket, udpBatchSupport } from './udp-batch.js';
import { chooseUdpIo } from './udp-listen.js';

const support = udpBatchSupport();
const skip = support.ok ? false : `batched UDP unavailable: ${support.reason}`;
if (!support.ok) {
  if (process.env.CI === 'true') throw new Error(`CI: ${skip}`);
  console.warn(`\n*** SKIPPING batched UDP tests: ${support.reason} ***\n`);
}

/** A client socket that collects what comes back. */
async function client(type: 'udp4' | 'udp6', host: string): Promise<{ socket: Socket; got: Buffer[] }> {
  const socket = createSocket({ type, recvBufferSize: 8 << 20 });
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  return { socket, got };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('batched UDP socket', { skip }, () => {
  const open: BatchUdpSocket[] = [];
  const sockets: Socket[] = [];
  after(() => {
    for (const s of open) s.close();
    for (const s of sockets) s.close();
  });

  test('answers bursts of 128 datagrams (1,280 in all), each to its sender, with the right bytes', async () => {
    const seen: number[] = [];
    const server = BatchUdpSocket.open('127.0.0.1', 0, (msg, ip, port) => {
      assert.deepEqual([...ip], [127, 0, 0, 1]);
      seen.push(port);
      return Buffer.concat([Buffer.from('re:'), msg]);
    });
    open.push(server);
    const a = await client('udp4', '127.0.0.1');
    const b = await client('udp4', '127.0.0.1');
    sockets.push(a.socket, b.socket);
    // Ten bursts of 128 (two batches each), each burst sent at once: small enough for the kernel's
    // default socket buffers, wherever net.core.rmem_max leaves them.
    for (let burst = 0; burst < 10; burst++) {
      for (let i = burst * 64; i < (burst + 1) * 64; i++) {
        a.socket.send(`a${i}`, server.port, '127.0.0.1');
        b.socket.send(`b${i}`, server.port, '127.0.0.1');
      }
      const want = (burst + 1) * 128;
      await until(() => a.got.length + b.got.length >= want, `${want} answers`);
    }
    assert.deepEqual(
      new Set(a.got.map((m) => m.toString())),
      new Set([...Array(640).keys()].map((i) => `re:a${i}`)),
    );
    assert.deepEqual(
      new Set(b.got.map((m) => m.toString())),
      new Set([...Array(640).keys()].map((i) => `re:b${i}`)),
    );
    assert.deepEqual(new Set(seen), new Set([a.socket.address().port, b.socket.address().port]));
    const stats = server.stats();
    assert.equal(stats.received, 1280);
    assert.equal(stats.sent, 1280);
    assert.equal(stats.dropped, 0);
  });

  test('an answer given later (a promise) still reaches its sender; datagram memory is reused after the call', async () => {
    const kept: Buffer[] = [];
    const views: Buffer[] = [];
    const server = BatchUdpSocket.open('127.0.0.1', 0, (msg) => {
      // What a handler keeps, it copies (DatagramHandler's contract): the view's memory is reused.
      const text = msg.toString();
      kept.push(Buffer.from(msg));
      views.push(msg);
      return new Promise((r) => setTimeout(() => r(Buffer.from(`late:${text}`)), 20));
    });
    open.push(server);
    const c = await client('udp4', '127.0.0.1');
    sockets.push(c.socket);
    for (let i = 0; i < 200; i++) c.socket.send(`m${i}`, server.port, '127.0.0.1');
    await until(() => c.got.length >= 200, '200 late answers');
    assert.deepEqual(
      new Set(c.got.map((m) => m.toString())),
      new Set([...Array(200).keys()].map((i) => `late:m${i}`)),
    );
    assert.deepEqual(
      new Set(kept.map((m) => m.toString())),
      new Set([...Array(200).keys()].map((i) => `m${i}`)),
    );
    assert.ok(
      views.some((v, i) => !v.equals(kept[i]!)),
      'datagrams are handed over in place, not copied',
    );
  });

  test('a datagram longer than a slot arrives cut but still longer than any request; a throwing handler loses only its datagram', async () => {
    const lengths: number[] = [];
    const server = BatchUdpSocket.open('127.0.0.1', 0, (msg) => {
      if (msg.toString() === 'throw') throw new Error('handler bug');
      lengths.push(msg.length);
      return Buffer.from(String(msg.length));
    });
    open.push(server);
    const c = await client('udp4', '127.0.0.1');
    sockets.push(c.socket);
    c.socket.send(Buffer.alloc(9000, 7), server.port, '127.0.0.1');
    c.socket.send('throw', server.port, '127.0.0.1');
    c.socket.send('after', server.port, '127.0.0.1');
    await until(() => c.got.length >= 2, 'two answers');
    assert.ok(lengths[0]! > 1500, `the long datagram was seen as ${lengths[0]} bytes`);
    assert.deepEqual(
      c.got.map((m) => m.toString()),
      [String(lengths[0]), '5'],
    );
  });

  test('IPv6 senders come as 16 bytes; IPv4 senders on a dual-stack socket as 4', async () => {
    const from: number[] = [];
    const server = BatchUdpSocket.open('::', 0, (_msg, ip) => {
      from.push(ip.length);
      return Buffer.from(`${ip.length}`);
    });
    open.push(server);
    const v6 = await client('udp6', '::1');
    const v4 = await client('udp4', '127.0.0.1');
    sockets.push(v6.socket, v4.socket);
    v6.socket.send('x', server.port, '::1');
    await until(() => v6.got.length === 1, 'the IPv6 answer');
    v4.socket.send('y', server.port, '127.0.0.1');
    await until(() => v4.got.length === 1, 'the IPv4 answer');
    assert.equal(v6.got[0]!.toString(), '16');
    assert.equal(v4.got[0]!.toString(), '4');
  });

  test('close frees the port; a taken port and a host name are refused', async () => {
    const first = BatchUdpSocket.open('127.0.0.1', 0, () => undefined);
    const port = first.port;
    assert.throws(
      () => BatchUdpSocket.open('127.0.0.1', port, () => undefined),
      /EADDRINUSE|address already in use/i,
    );
    first.close();
    first.close();
    await new Promise((r) => setTimeout(r, 10));
    const again = BatchUdpSocket.open('127.0.0.1', port, () => undefined);
    assert.equal(again.port, port);
    again.close();
    assert.throws(() => BatchUdpSocket.open('localhost', 0, () => undefined), /IP address/);
  });
});

describe('choosing the UDP socket', () => {
  test('auto takes the batched socket for IP addresses where it works, dgram for names', () => {
    assert.equal(chooseUdpIo('127.0.0.1', 'auto'), support.ok ? 'batch' : 'dgram');
    assert.equal(chooseUdpIo('localhost', 'auto'), 'dgram');
    assert.equal(chooseUdpIo('127.0.0.1', 'dgram'), 'dgram');
  });

  test('SEEDCAST_UDP forces one, and a bad value or an impossible batch is an error', () => {
    const saved = process.env.SEEDCAST_UDP;
    try {
      process.env.SEEDCAST_UDP = 'dgram';
      assert.equal(chooseUdpIo('127.0.0.1'), 'dgram');
      process.env.SEEDCAST_UDP = 'fast';
      assert.throws(
        () => chooseUdpIo('127.0.0.1'),
        (e) => isSeedcastError(e) && /auto, batch or dgram/.test(e.message),
      );
      assert.throws(
        () => chooseUdpIo('localhost', 'batch'),
        (e) => isSeedcastError(e) && e.code === 'TRACKER_UDP_UNAVAILABLE',
      );
    } finally {
      if (saved === undefined) delete process.env.SEEDCAST_UDP;
      else process.env.SEEDCAST_UDP = saved;
    }
  });
});
