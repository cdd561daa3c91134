import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { PeerConnection, type PeerConnectionOptions } from './connection.js';
import { encodeHandshake } from './handshake.js';
import { encodeMessage } from './messages.js';
import { MetadataAssembler } from './metadata.js';
import type { PeerMessage } from './peer-message.js';
import { pieceGeometry } from './rules.js';

const infoHash = Buffer.alloc(20, 0x11);
const idA = Buffer.from('-SC0001-aaaaaaaaaaaa');
const idB = Buffer.from('-SC0001-bbbbbbbbbbbb');
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A loopback server handing each accepted socket to `onSocket`; resolves to its port. */
async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

function connect(port: number): Socket {
  return new Socket().connect(port, '127.0.0.1');
}

/** Two PeerConnections over loopback TCP: `a` dials out, `b` accepts; resolves once both handshook. */
async function pair(a: Partial<PeerConnectionOptions> = {}, b: Partial<PeerConnectionOptions> = {}) {
  let incoming!: PeerConnection;
  const port = await listen((socket) => {
    incoming = new PeerConnection(socket, { peerId: idB, acceptInfoHash: (h) => h.equals(infoHash), ...b });
    incoming.start();
  });
  const outgoing = new PeerConnection(connect(port), { peerId: idA, infoHash, ...a });
  outgoing.start();
  await once(outgoing, 'handshake');
  if (!incoming.open) await once(incoming, 'handshake');
  return { a: outgoing, b: incoming };
}

/** Resolve with the next `count` messages `conn` emits. */
function messages(conn: PeerConnection, count: number): Promise<PeerMessage[]> {
  const got: PeerMessage[] = [];
  return new Promise((resolve) => {
    const on = (m: PeerMessage) => {
      got.push(m);
      if (got.length === count) {
        conn.off('message', on);
        resolve(got);
      }
    };
    conn.on('message', on);
  });
}

async function closeReason(conn: PeerConnection): Promise<Error | undefined> {
  const [err] = await once(conn, 'close');
  return err as Error | undefined;
}

function assertCode(err: Error | undefined, code: string, pattern?: RegExp) {
  assert.ok(isSeedcastError(err), `expected a SeedcastError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
}

/** A peer that speaks raw bytes: accepts one outgoing PeerConnection and hands back its socket. */
async function rawPeerFor(options: Partial<PeerConnectionOptions> = {}) {
  let resolveSocket!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => {
    resolveSocket = r;
  });
  const port = await listen(resolveSocket);
  const conn = new PeerConnection(connect(port), { peerId: idA, infoHash, ...options });
  const closed = closeReason(conn);
  conn.start();
  const raw = await accepted;
  raw.on('error', () => {}); // a bad peer's writes may hit the closed connection
  return { conn, raw, closed };
}

describe('PeerConnection handshake', { timeout: 20_000 }, () => {
  it('exchanges handshakes both ways and negotiates the extensions both sides announce', async () => {
    const { a, b } = await pair({}, { extensions: { extended: true, fast: false } });
    assert.deepEqual(a.remote?.peerId, idB);
    assert.deepEqual(b.remote?.peerId, idA);
    assert.deepEqual(b.remote?.infoHash, infoHash);
    assert.deepEqual(a.remote?.negotiated, { extended: true, fast: false, dht: false });
    assert.deepEqual(b.remote?.negotiated, { extended: true, fast: false, dht: false });
    assert.equal(a.remote?.extensions.fast, false);
    assert.equal(b.remote?.extensions.fast, true);
    a.destroy();
    await closeReason(b);
  });

  it('drops an incoming peer asking for an info hash we do not serve', async () => {
    let incoming!: Promise<Error | undefined>;
    const port = await listen((socket) => {
      const conn = new PeerConnection(socket, { peerId: idB, acceptInfoHash: () => false });
      incoming = closeReason(conn);
      conn.start();
    });
    const raw = connect(port);
    raw.write(encodeHandshake(Buffer.alloc(20, 0x99), idA));
    await once(raw, 'close');
    assertCode(await incoming, 'WIRE_HANDSHAKE', /unknown info hash 9999/);
  });

  it('drops a peer that answers with another info hash, or is not a BitTorrent peer at all', async () => {
    const wrongHash = await rawPeerFor();
    wrongHash.raw.write(encodeHandshake(Buffer.alloc(20, 0x22), idB));
    assertCode(await wrongHash.closed, 'WIRE_HANDSHAKE', /wrong info hash/);
    const http = await rawPeerFor();
    http.raw.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    assertCode(await http.closed, 'WIRE_HANDSHAKE');
  });

  it('drops a connection to ourselves', async () => {
    const self = await rawPeerFor();
    self.raw.write(encodeHandshake(infoHash, idA));
    assertCode(await self.closed, 'WIRE_HANDSHAKE', /ourselves/);
  });

  it('times out a peer that never completes its handshake', async () => {
    const slow = await rawPeerFor({ handshakeTimeout: 30 });
    slow.raw.write(encodeHandshake(infoHash, idB).subarray(0, 30));
    assertCode(await slow.closed, 'WIRE_TIMEOUT', /no handshake/);
  });

  it('keeps the handshake deadline even for a peer that trickles bytes', async () => {
    const trickle = await rawPeerFor({ handshakeTimeout: 60 });
    const bytes = encodeHandshake(infoHash, idB);
    let at = 0;
    const timer = setInterval(() => trickle.raw.write(bytes.subarray(at, ++at)), 5);
    assertCode(await trickle.closed, 'WIRE_TIMEOUT', /no handshake/);
    clearInterval(timer);
    assert.ok(at < 68, 'the handshake never completed');
  });
});

describe('PeerConnection messages', { timeout: 20_000 }, () => {
  it('delivers every message in order and tracks choke and interest state', async () => {
    const { a, b } = await pair();
    const got = messages(b, 5);
    a.send({ type: 'haveAll' });
    a.send({ type: 'unchoke' });
    a.send({ type: 'interested' });
    a.send({ type: 'request', index: 2, begin: 16384, length: 16384 });
    a.send({ type: 'allowedFast', index: 4 });
    const list = await got;
    assert.deepEqual(
      list.map((m) => m.type),
      ['haveAll', 'unchoke', 'interested', 'request', 'allowedFast'],
    );
    assert.deepEqual(list[3], { type: 'request', index: 2, begin: 16384, length: 16384 });
    assert.equal(a.amChoking, false);
    assert.equal(a.amInterested, true);
    assert.equal(b.peerChoking, false);
    assert.equal(b.peerInterested, true);
    a.destroy();
  });

  it('sends a block as header + block and the peer receives it intact', async () => {
    const { a, b } = await pair();
    const block = Buffer.alloc(16384);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 0xff;
    const got = messages(a, 1);
    b.sendPiece(3, 16384, block);
    const [m] = await got;
    assert.ok(m?.type === 'piece');
    assert.equal(m.index, 3);
    assert.equal(m.begin, 16384);
    assert.deepEqual(Buffer.from(m.block), block);
    assert.equal(a.stats.downloaded, 16384);
    assert.equal(b.stats.uploaded, 16384);
    b.destroy();
  });

  it('exchanges extended handshakes, then ut_metadata and ut_pex messages under the announced ids', async () => {
    const { a, b } = await pair();
    const metadata = Buffer.alloc(20000, 7);
    const hs = messages(a, 1);
    b.sendExtendedHandshake({ metadataSize: metadata.length, v: 'test' });
    const [ehs] = await hs;
    assert.ok(ehs?.type === 'extendedHandshake');
    assert.equal(ehs.handshake.metadataSize, 20000);
    assert.equal(a.supportsExtension('ut_metadata'), true);
    assert.equal(a.supportsExtension('ut_pex'), true);
    assert.equal(b.supportsExtension('ut_metadata'), false, 'a has not sent its extended handshake yet');
    assert.throws(() => b.sendMetadata({ kind: 'request', piece: 0 }), /does not support ut_metadata/);

    const bGot = messages(b, 3);
    a.sendExtendedHandshake({});
    a.sendMetadata({ kind: 'request', piece: 0 });
    a.sendMetadata({ kind: 'request', piece: 1 });
    const [, r0, r1] = await bGot;
    assert.deepEqual(r0, { type: 'metadata', message: { kind: 'request', piece: 0 } });
    assert.deepEqual(r1, { type: 'metadata', message: { kind: 'request', piece: 1 } });

    const { createHash } = await import('node:crypto');
    const assembler = new MetadataAssembler(createHash('sha1').update(metadata).digest(), metadata.length);
    const aGot = messages(a, 3);
    b.sendMetadata({ kind: 'data', piece: 0, totalSize: metadata.length, data: metadata.subarray(0, 16384) });
    b.sendMetadata({ kind: 'data', piece: 1, totalSize: metadata.length, data: metadata.subarray(16384) });
    b.sendPex({ added: [{ host: '10.0.0.1', port: 1234, flags: 2 }] });
    const [d0, d1, pex] = await aGot;
    for (const d of [d0, d1]) {
      assert.ok(d?.type === 'metadata' && d.message.kind === 'data');
      assembler.add(d.message.piece, d.message.data);
    }
    assert.deepEqual(assembler.finish(), metadata);
    assert.deepEqual(pex, {
      type: 'pex',
      pex: { added: [{ host: '10.0.0.1', port: 1234, flags: 2 }], dropped: [] },
    });
    a.destroy();
  });

  it('forgets an extension the peer disables with id 0', async () => {
    const { a, b } = await pair();
    const got = messages(a, 2);
    b.sendExtendedHandshake({});
    b.socket.write(encodeMessage({ type: 'extended', id: 0, payload: Buffer.from('d1:md6:ut_pexi0eee') }));
    await got;
    assert.equal(a.supportsExtension('ut_pex'), false);
    assert.equal(a.supportsExtension('ut_metadata'), true);
    a.destroy();
  });

  it('makes sending on a closed connection a no-op that returns false', async () => {
    const { a, b } = await pair();
    const closed = closeReason(b);
    a.destroy();
    assert.equal(a.send({ type: 'unchoke' }), false);
    assert.equal(a.sendPiece(0, 0, Buffer.alloc(10)), false);
    assert.equal(await closed, undefined, 'an orderly close has no error');
  });

  it('refuses to send Fast messages when the Fast extension was not negotiated', async () => {
    const { a } = await pair({ extensions: { extended: true } });
    assert.throws(() => a.send({ type: 'haveNone' }), /Fast extension/);
    a.send({ type: 'bitfield', bitfield: Buffer.from([0x80]) });
    a.destroy();
  });

  it('holds received messages while paused and delivers them in order on resume, even from a listener', async () => {
    const { a, b } = await pair();
    const seen: string[] = [];
    b.on('message', (m) => {
      seen.push(m.type === 'have' ? `have ${m.index}` : m.type);
      if (m.type === 'have' && m.index === 0) {
        b.pause();
        setImmediate(() => {
          b.resume();
        });
      }
      if (m.type === 'have' && m.index === 1) {
        b.pause();
        b.resume(); // resuming inside a listener must not deliver messages out of order
      }
    });
    const last = new Promise<void>((resolve) =>
      b.on('message', (m) => m.type === 'have' && m.index === 3 && resolve()),
    );
    a.socket.cork();
    for (let index = 0; index < 4; index++) a.send({ type: 'have', index });
    a.socket.uncork();
    await last;
    assert.deepEqual(seen, ['have 0', 'have 1', 'have 2', 'have 3']);
    a.destroy();
  });

  it('reports backpressure and drains once the reader resumes', async () => {
    const { a, b } = await pair({}, { maxBlockLength: 16384 });
    b.pause();
    const block = Buffer.alloc(16384, 1);
    let sent = 0;
    while (sent < 8192 && a.sendPiece(0, 0, block)) sent++;
    sent++;
    assert.ok(sent < 8192, 'the socket buffer filled up');
    assert.equal(a.writableNeedDrain, true);
    let received = 0;
    const all = new Promise<void>((resolve) =>
      b.on('message', (m) => {
        if (m.type === 'piece' && ++received === sent) resolve();
      }),
    );
    const drained = once(a, 'drain');
    b.resume();
    await drained;
    await all;
    assert.equal(b.stats.downloaded, sent * 16384);
    a.destroy();
  });
});

describe('PeerConnection drops misbehaving peers', { timeout: 20_000 }, () => {
  async function afterHandshake(options: Partial<PeerConnectionOptions> = {}, reserved = { extended: true }) {
    const peer = await rawPeerFor(options);
    peer.raw.write(encodeHandshake(infoHash, idB, { extensions: reserved }));
    await once(peer.conn, 'handshake');
    return peer;
  }

  const frame = (length: number, id: number, body = Buffer.alloc(0)) => {
    const head = Buffer.alloc(5);
    head.writeUInt32BE(length, 0);
    head[4] = id;
    return Buffer.concat([head, body]);
  };

  it('drops a peer sending an oversized message, without waiting for its body', async () => {
    const peer = await afterHandshake();
    peer.raw.write(frame(64 * 1024 * 1024, 5));
    assertCode(await peer.closed, 'WIRE_OVERSIZE');
    assert.ok(peer.conn.socket.destroyed);
  });

  it('drops a peer sending a fixed-size message of the wrong length', async () => {
    const peer = await afterHandshake();
    peer.raw.write(frame(6, 4, Buffer.alloc(5)));
    assertCode(await peer.closed, 'WIRE_MALFORMED', /have/);
  });

  it('drops a peer sending Fast messages without the Fast bit', async () => {
    const peer = await afterHandshake();
    peer.raw.write(encodeMessage({ type: 'haveAll' }));
    assertCode(await peer.closed, 'WIRE_PROTOCOL', /Fast/);
  });

  it('drops a peer sending a bitfield of the wrong size, or a request past the end of the torrent', async () => {
    const wrong = await afterHandshake({ geometry: pieceGeometry(40000, 16384) });
    wrong.raw.write(encodeMessage({ type: 'bitfield', bitfield: Buffer.from([0xe0, 0x00]) }));
    assertCode(await wrong.closed, 'WIRE_MALFORMED', /bitfield/);
    const past = await afterHandshake({ geometry: pieceGeometry(40000, 16384) });
    past.raw.write(encodeMessage({ type: 'request', index: 2, begin: 0, length: 16384 }));
    assertCode(await past.closed, 'WIRE_PROTOCOL', /past the end/);
  });

  it('drops a peer sending a malformed extended handshake', async () => {
    const peer = await afterHandshake();
    peer.raw.write(encodeMessage({ type: 'extended', id: 0, payload: Buffer.from('d1:mi5ee') }));
    assertCode(await peer.closed, 'WIRE_MALFORMED', /"m"/);
  });

  it('ignores unknown message ids and keeps the connection', async () => {
    const peer = await afterHandshake();
    const got = messages(peer.conn, 2);
    peer.raw.write(encodeMessage({ type: 'unknown', id: 0x63, payload: Buffer.from('??') }));
    peer.raw.write(encodeMessage({ type: 'interested' }));
    const [unknown, interested] = await got;
    assert.equal(unknown?.type, 'unknown');
    assert.equal(interested?.type, 'interested');
    assert.equal(peer.conn.closed, false);
    peer.conn.destroy();
    assert.equal(await peer.closed, undefined);
  });

  it('sends keep-alives when idle and times out a silent peer', async () => {
    const peer = await afterHandshake({ keepAliveInterval: 20, idleTimeout: 200 });
    const seen: Buffer[] = [];
    peer.raw.on('data', (d: Buffer) => seen.push(d));
    assertCode(await peer.closed, 'WIRE_TIMEOUT', /nothing received/);
    const stream = Buffer.concat(seen);
    assert.ok(stream.length >= 68 + 4, 'the handshake and at least one keep-alive were sent');
    assert.deepEqual([...stream.subarray(68, 72)], [0, 0, 0, 0]);
  });
});
