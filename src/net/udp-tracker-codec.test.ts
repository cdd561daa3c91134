/**
 * The BEP 15 codec (`udp-tracker-codec.ts`) both ways: the server's decoding and encoding, the
 * client's, and each side reading what the other wrote.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import {
  decodeUdpAnswer,
  decodeUdpRequest,
  encodeAnnounce,
  encodeAnnounceRequest,
  encodeConnect,
  encodeConnectRequest,
  encodeError,
  encodeScrape,
  PROTOCOL_ID,
  udpScratch,
} from './udp-tracker-codec.js';

const IP = Buffer.from([10, 0, 0, 1]);

function connectPacket(tid: number, magic = PROTOCOL_ID): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(magic, 0);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(tid, 12);
  return b;
}

function announcePacket(
  over: { event?: number; port?: number; numwant?: number; left?: bigint } = {},
): Buffer {
  const b = Buffer.alloc(98);
  b.write('CONNID!!', 0, 'latin1');
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(0xdeadbeef, 12);
  b.fill(0xab, 16, 36);
  b.write('-LT2080-123456789012', 36, 'latin1');
  b.writeBigInt64BE(10n, 56);
  b.writeBigInt64BE(over.left ?? 5_000_000_000n, 64);
  b.writeBigInt64BE(30n, 72);
  b.writeUInt32BE(over.event ?? 2, 80);
  b.writeUInt32BE(0, 84);
  b.writeUInt32BE(0x01020304, 88);
  b.writeInt32BE(over.numwant ?? -1, 92);
  b.writeUInt16BE(over.port ?? 51413, 96);
  return b;
}

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err) => isSeedcastError(err) && pattern.test(err.message));
}

describe('BEP 15 decoding', () => {
  test('a connect request carries the protocol id and a transaction id', () => {
    assert.deepEqual(decodeUdpRequest(connectPacket(77), IP), { action: 'connect', transactionId: 77 });
    refused(() => decodeUdpRequest(connectPacket(77, 0x1234n), IP), /protocol id/);
  });

  test('an announce decodes every field, 64-bit counters included', () => {
    const req = decodeUdpRequest(announcePacket(), IP);
    assert.equal(req.action, 'announce');
    if (req.action !== 'announce') return;
    assert.equal(req.transactionId, 0xdeadbeef);
    assert.equal(req.connectionId.toString('latin1'), 'CONNID!!');
    const r = req.request;
    assert.deepEqual(r.infoHash, Buffer.alloc(20, 0xab));
    assert.equal(r.peerId.toString('latin1'), '-LT2080-123456789012');
    assert.deepEqual([r.downloaded, r.left, r.uploaded], [10, 5_000_000_000, 30]);
    assert.deepEqual(
      [r.event, r.key, r.numwant, r.port, r.transport],
      ['started', 0x01020304, -1, 51413, 'udp'],
    );
    assert.equal(r.ip, IP);
  });

  test('BEP 41 options: no-ops, URL data in several parts, end of options', () => {
    const url = Buffer.concat([
      announcePacket(),
      Buffer.from([0x01, 0x02, 5]),
      Buffer.from('/anno'),
      Buffer.from([0x02, 9]),
      Buffer.from('unce?a=b1'),
      Buffer.from([0x00, 0x02, 0xff]),
    ]);
    const req = decodeUdpRequest(url, IP);
    assert.equal(req.action === 'announce' && req.urlData, '/announce?a=b1');
    refused(
      () => decodeUdpRequest(Buffer.concat([announcePacket(), Buffer.from([0x02, 10, 0x41])]), IP),
      /BEP 41/,
    );
    refused(() => decodeUdpRequest(Buffer.concat([announcePacket(), Buffer.from([0x02])]), IP), /BEP 41/);
  });

  test('refuses short announces, unknown events and actions, port 0, negative counters', () => {
    refused(() => decodeUdpRequest(announcePacket().subarray(0, 97), IP), /97 bytes/);
    refused(() => decodeUdpRequest(announcePacket({ event: 9 }), IP), /unknown event 9/);
    refused(() => decodeUdpRequest(announcePacket({ port: 0 }), IP), /port 0/);
    refused(() => decodeUdpRequest(announcePacket({ left: -1n }), IP), /left is negative/);
    const weird = announcePacket();
    weird.writeUInt32BE(7, 8);
    refused(() => decodeUdpRequest(weird, IP), /unknown action 7/);
    refused(() => decodeUdpRequest(Buffer.alloc(15), IP), /shorter than 16/);
    refused(() => decodeUdpRequest(Buffer.alloc(1600), IP), /over 1500/);
  });

  test('a scrape carries whole info hashes', () => {
    const b = Buffer.alloc(16 + 40);
    b.writeUInt32BE(2, 8);
    b.fill(1, 16, 36);
    b.fill(2, 36, 56);
    const req = decodeUdpRequest(b, IP);
    assert.equal(req.action, 'scrape');
    if (req.action === 'scrape') assert.deepEqual(req.infoHashes, [Buffer.alloc(20, 1), Buffer.alloc(20, 2)]);
    refused(() => decodeUdpRequest(b.subarray(0, 16 + 30), IP), /whole 20-byte/);
    refused(() => decodeUdpRequest(b.subarray(0, 16), IP), /whole 20-byte/);
  });
});

describe('BEP 15 encoding', () => {
  test('connect, announce and scrape answers are laid out as BEP 15 says', () => {
    const c = encodeConnect(5, Buffer.from('12345678'));
    assert.equal(c.toString('hex'), `0000000000000005${Buffer.from('12345678').toString('hex')}`);
    const res = {
      interval: 1800,
      minInterval: 900,
      incomplete: 3,
      complete: 2,
      downloaded: 0,
      peers: { v4: Buffer.from([1, 2, 3, 4, 0, 80]), v6: Buffer.alloc(18, 9) },
    };
    const a = encodeAnnounce(6, res, { ipv6: false });
    assert.equal(a.toString('hex'), '00000001000000060000070800000003000000020102030400' + '50');
    assert.equal(encodeAnnounce(6, res, { ipv6: true }).subarray(20).toString('hex'), '09'.repeat(18));
    const s = encodeScrape(7, { files: [{ counts: { complete: 9, downloaded: 8, incomplete: 7 } }] });
    assert.equal(s.toString('hex'), '0000000200000007000000090000000800000007');
  });

  test('an error answer is never longer than the request that caused it', () => {
    const e = encodeError(9, 'a rather long explanation of what went wrong', 20);
    assert.equal(e.length, 20);
    assert.equal(e.readUInt32BE(0), 3);
    assert.equal(e.readUInt32BE(4), 9);
    assert.equal(e.subarray(8).toString(), 'a rather lon');
    assert.equal(encodeError(9, 'short', 98).subarray(8).toString(), 'short');
  });
});

test('64-bit counts past 2^53 are read as the largest exact number, with and without scratch', () => {
  const packet = announcePacket({ left: 0x7fff_ffff_ffff_ffffn });
  packet.writeBigInt64BE((1n << 53n) + 1n, 72);
  for (const req of [decodeUdpRequest(packet, IP), decodeUdpRequest(packet, IP, udpScratch())]) {
    assert.equal(req.action, 'announce');
    if (req.action !== 'announce') return;
    assert.equal(req.request.left, Number.MAX_SAFE_INTEGER);
    assert.equal(req.request.uploaded, Number.MAX_SAFE_INTEGER);
    assert.equal(req.request.downloaded, 10);
  }
});

describe('BEP 15, client and server reading each other', () => {
  test('a connect request the client writes is the one the server reads; its answer reads back', () => {
    assert.deepEqual(encodeConnectRequest(77), connectPacket(77));
    assert.deepEqual(decodeUdpRequest(encodeConnectRequest(77), IP), {
      action: 'connect',
      transactionId: 77,
    });
    const id = Buffer.from('12345678');
    const answer = decodeUdpAnswer(encodeConnect(77, id));
    assert.deepEqual(answer, { action: 'connect', transactionId: 77, connectionId: id });
  });

  test('an announce the client writes decodes to what it said, URL data included', () => {
    const sent = {
      infoHash: Buffer.alloc(20, 0xab),
      peerId: Buffer.from('-LT2080-123456789012', 'latin1'),
      downloaded: 10,
      left: 5_000_000_000,
      uploaded: 30,
      event: 'started' as const,
      key: 0x01020304,
      numwant: -1,
      port: 51413,
      urlData: '',
    };
    const plain = encodeAnnounceRequest(Buffer.from('CONNID!!', 'latin1'), 0xdeadbeef, sent);
    assert.deepEqual(plain, announcePacket(), 'byte for byte the layout the server tests use');
    const long = `/announce?${'x'.repeat(300)}`;
    const req = decodeUdpRequest(encodeAnnounceRequest(Buffer.alloc(8), 5, { ...sent, urlData: long }), IP);
    assert.equal(req.action, 'announce');
    if (req.action !== 'announce') return;
    assert.equal(req.urlData, long, 'URL data over 255 bytes goes in several BEP 41 options');
    const { infoHash, peerId, downloaded, left, uploaded, event, key, numwant, port } = req.request;
    assert.deepEqual(
      { infoHash, peerId, downloaded, left, uploaded, event, key, numwant, port, urlData: long },
      { ...sent, urlData: long },
    );
  });

  test('announce, scrape and error answers the server writes read back on the client', () => {
    const peers = Buffer.from([1, 2, 3, 4, 0, 80, 5, 6, 7, 8, 0, 81]);
    const a = decodeUdpAnswer(
      encodeAnnounce(
        6,
        { interval: 1800, incomplete: 3, complete: 2, peers: { v4: peers, v6: Buffer.alloc(0) } },
        {
          ipv6: false,
        },
      ),
    );
    assert.deepEqual(a, {
      action: 'announce',
      transactionId: 6,
      interval: 1800,
      leechers: 3,
      seeders: 2,
      peers,
    });
    const s = decodeUdpAnswer(
      encodeScrape(7, { files: [{ counts: { complete: 9, downloaded: 8, incomplete: 7 } }] }),
    );
    assert.deepEqual(s, {
      action: 'scrape',
      transactionId: 7,
      files: [{ seeders: 9, completed: 8, leechers: 7 }],
    });
    assert.deepEqual(decodeUdpAnswer(encodeError(9, 'go away', 98)), {
      action: 'error',
      transactionId: 9,
      message: 'go away',
    });
    assert.equal(decodeUdpAnswer(encodeConnect(1, Buffer.alloc(8)).subarray(0, 12)).action, 'malformed');
    assert.equal(decodeUdpAnswer(Buffer.alloc(19, 0).fill(1, 3, 4)).action, 'malformed');
    const odd = Buffer.alloc(8);
    odd.writeUInt32BE(7, 0);
    assert.deepEqual(decodeUdpAnswer(odd), {
      action: 'malformed',
      transactionId: 0,
      code: 7,
      detail: 'unexpected action 7',
    });
  });
});
