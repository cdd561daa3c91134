/**
 * Every class of malformed or refused request, over real sockets: HTTP gets a bencoded `failure
 * reason`, UDP a BEP 15 error packet no longer than the datagram (or nothing, for datagrams too
 * short to answer); each is counted and logged as a warning, and the tracker keeps serving.
 */

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { decode, isBytes, isDict, textKey } from '../src/bencode/index.js';
import { allowSet, type RunningTracker, startTracker } from '../src/tracker/index.js';

const ALLOWED = Buffer.alloc(20, 0xa1);
const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
const GOOD = `info_hash=${enc(ALLOWED)}&peer_id=${enc(Buffer.alloc(20, 0x42))}&port=6881&left=5`;
const warnings: string[] = [];
let tracker: RunningTracker;

async function get(path: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${tracker.httpUrl}${path}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

function failureOf(body: Buffer): string | undefined {
  const d = decode(body);
  assert.ok(isDict(d), 'the answer is a bencoded dictionary');
  const r = d.get(textKey('failure reason'));
  return isBytes(r) ? Buffer.from(r).toString() : undefined;
}

/** Raw bytes over TCP, for requests fetch() would refuse to send; resolves with the whole answer. */
async function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(tracker.port, '127.0.0.1', () => s.write(bytes, 'latin1'));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      out += d;
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('malformed requests over HTTP', () => {
  before(async () => {
    tracker = await startTracker({
      port: 0,
      allow: allowSet(new Set([ALLOWED.toString('hex')])),
      log: { warn: (m) => warnings.push(m) },
    });
  });
  after(async () => tracker.close());

  const cases: [string, string, RegExp][] = [
    ['missing info_hash', `/announce?peer_id=${'p'.repeat(20)}&port=1`, /info_hash is missing/],
    ['short info_hash', `/announce?info_hash=abc&peer_id=${'p'.repeat(20)}&port=1`, /20 bytes, got 3/],
    ['missing peer_id', `/announce?info_hash=${enc(ALLOWED)}&port=1`, /peer_id is missing/],
    [
      'long peer_id',
      `/announce?info_hash=${enc(ALLOWED)}&peer_id=${'p'.repeat(21)}&port=1`,
      /20 bytes, got 21/,
    ],
    ['broken escape', `/announce?info_hash=%g0${'a'.repeat(19)}&peer_id=${'p'.repeat(20)}&port=1`, /percent/],
    ['port out of range', `/announce?${GOOD.replace('port=6881', 'port=99999')}`, /port must be/],
    ['missing port', `/announce?${GOOD.replace('&port=6881', '')}`, /port is missing/],
    ['negative left', `/announce?${GOOD.replace('left=5', 'left=-5')}`, /left must be/],
    ['unknown event', `/announce?${GOOD}&event=boom`, /unknown event/],
    ['bad numwant', `/announce?${GOOD}&numwant=x`, /numwant/],
    ['oversized query', `/announce?${GOOD}&pad=${'x'.repeat(9000)}`, /too large|longer than/],
    ['too many parameters', `/announce?${GOOD}${'&z=1'.repeat(250)}`, /parameters/],
    [
      'torrent not on the allow list',
      `/announce?${GOOD.replace(enc(ALLOWED), enc(Buffer.alloc(20, 1)))}`,
      /not tracked/,
    ],
    ['scrape without info_hash', '/scrape', /at least one info_hash/],
    ['scrape with a bad info_hash', '/scrape?info_hash=%zz', /percent/],
    [
      'scrape of too many torrents',
      `/scrape?${Array.from({ length: 80 }, (_, i) => `info_hash=${enc(Buffer.alloc(20, i))}`).join('&')}`,
      /at most 74/,
    ],
    ['unknown path', '/annnounce', /not found/],
  ];
  for (const [name, path, pattern] of cases) {
    test(`${name}: a failure reason, a warning, and the tracker keeps serving`, async () => {
      const before = warnings.length;
      const errors = tracker.service.metrics.errorCount();
      const res = await get(path);
      assert.match(failureOf(res.body) ?? '(no failure reason)', pattern);
      assert.equal(tracker.service.metrics.errorCount(), errors + 1);
      if (name !== 'unknown path') assert.equal(warnings.length, before + 1);
      const ok = await get(`/announce?${GOOD}`);
      assert.equal(failureOf(ok.body), undefined, 'a good announce still works');
    });
  }

  test('a POST is refused with a failure reason', async () => {
    const res = await fetch(`${tracker.httpUrl}/announce?${GOOD}`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.match(failureOf(Buffer.from(await res.arrayBuffer())) ?? '', /use GET/);
  });

  test('bytes that are not HTTP get a 400 with a failure reason, then the connection closes', async () => {
    const answer = await raw('\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /failure reason/);
    const huge = await raw(
      `GET /announce?${GOOD} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(huge, /^HTTP\/1\.1 431/);
    assert.match(huge, /request too large/);
    const ok = await get(`/announce?${GOOD}`);
    assert.equal(failureOf(ok.body), undefined);
  });
});

// Both UDP edges: the batched native socket and Node's dgram.
for (const io of ['batch', 'dgram'] as const) {
  describe(`malformed datagrams over UDP (${io} socket)`, () => {
    let client: Socket;
    const inbox: Buffer[] = [];
    let waiting: ((b: Buffer) => void) | undefined;

    before(async () => {
      tracker = await startTracker({
        port: 0,
        allow: allowSet(new Set([ALLOWED.toString('hex')])),
        log: { warn: (m) => warnings.push(m) },
        udpIo: io,
      });
      assert.equal(tracker.udpIo, io);
      client = createSocket('udp4');
      client.on('message', (m) => {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(m);
        } else inbox.push(m);
      });
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    });
    after(async () => {
      client.close();
      await tracker.close();
    });

    async function exchange(msg: Buffer): Promise<Buffer> {
      const next = inbox.shift();
      if (next) return next;
      const answer = new Promise<Buffer>((r) => {
        waiting = r;
      });
      client.send(msg, tracker.port, '127.0.0.1');
      return answer;
    }

    function connectPacket(tid: number): Buffer {
      const b = Buffer.alloc(16);
      b.writeBigUInt64BE(0x41727101980n, 0);
      b.writeUInt32BE(tid, 12);
      return b;
    }

    async function connectionId(): Promise<Buffer> {
      const res = await exchange(connectPacket(1));
      assert.equal(res.readUInt32BE(0), 0);
      return res.subarray(8, 16);
    }

    function announce(cid: Buffer, tid: number, infoHash = ALLOWED): Buffer {
      const b = Buffer.alloc(98);
      cid.copy(b, 0);
      b.writeUInt32BE(1, 8);
      b.writeUInt32BE(tid, 12);
      infoHash.copy(b, 16);
      b.fill(0x50, 36, 56);
      b.writeBigInt64BE(1n, 64);
      b.writeInt32BE(-1, 92);
      b.writeUInt16BE(6881, 96);
      return b;
    }

    function assertError(res: Buffer, request: Buffer, tid: number, pattern: RegExp): void {
      assert.equal(res.readUInt32BE(0), 3, 'an error packet');
      assert.equal(res.readUInt32BE(4), tid);
      assert.ok(
        res.length <= request.length,
        `answer of ${res.length} bytes to ${request.length}: no amplification`,
      );
      assert.match(res.subarray(8).toString(), pattern);
    }

    test('a datagram too short to carry a transaction id gets no answer', async () => {
      const errors = tracker.service.metrics.errorCount();
      client.send(Buffer.from('hello'), tracker.port, '127.0.0.1');
      const res = await exchange(connectPacket(42));
      assert.equal(res.readUInt32BE(0), 0, 'the next answer is the connect, not an answer to the junk');
      assert.equal(res.readUInt32BE(4), 42);
      assert.equal(tracker.service.metrics.errorCount(), errors + 1);
    });

    test('a connect without the protocol id gets an error no longer than itself', async () => {
      const req = connectPacket(7);
      req.writeUInt32BE(0xdead, 0);
      assertError(await exchange(req), req, 7, /^connect /);
    });

    test('an announce with a forged connection id is refused', async () => {
      const req = announce(Buffer.from('forged!!'), 8);
      assertError(await exchange(req), req, 8, /connection id/);
    });

    test('a short announce, an unknown action, a bad event, broken BEP 41 options are refused', async () => {
      const cid = await connectionId();
      const short = announce(cid, 9).subarray(0, 60);
      assertError(await exchange(short), short, 9, /needs 98/);
      const action = announce(cid, 10);
      action.writeUInt32BE(9, 8);
      assertError(await exchange(action), action, 10, /unknown action/);
      const event = announce(cid, 11);
      event.writeUInt32BE(5, 80);
      assertError(await exchange(event), event, 11, /unknown event/);
      const options = Buffer.concat([announce(cid, 12), Buffer.from([0x02, 200, 0x2f])]);
      assertError(await exchange(options), options, 12, /BEP 41/);
    });

    test('scrapes of broken or too many hashes, oversized datagrams and unlisted torrents are refused', async () => {
      const cid = await connectionId();
      const head = Buffer.alloc(16);
      cid.copy(head, 0);
      head.writeUInt32BE(2, 8);
      head.writeUInt32BE(13, 12);
      const ragged = Buffer.concat([head, Buffer.alloc(30)]);
      assertError(await exchange(ragged), ragged, 13, /whole 20-byte/);
      const many = Buffer.concat([head, Buffer.alloc(20 * 75)]);
      assertError(await exchange(many), many, 13, /over 1500 bytes/);
      const big = Buffer.concat([announce(cid, 14), Buffer.alloc(2000, 1)]);
      assertError(await exchange(big), big, 14, /over 1500 bytes/);
      // Longer than the batched socket's 2,048-byte slots: cut there, still seen as too long.
      const huger = Buffer.concat([announce(cid, 17), Buffer.alloc(9000, 1)]);
      assertError(await exchange(huger), huger, 17, /over 1500 bytes/);
      const unlisted = announce(cid, 15, Buffer.alloc(20, 9));
      assertError(await exchange(unlisted), unlisted, 15, /not tracked/);
    });

    test('after all that, a good announce is answered', async () => {
      const cid = await connectionId();
      const res = await exchange(announce(cid, 16));
      assert.equal(res.readUInt32BE(0), 1);
      assert.equal(res.readUInt32BE(4), 16);
      assert.equal(res.readUInt32BE(12) + res.readUInt32BE(16), 1, 'one peer in the swarm');
    });
  });
}
