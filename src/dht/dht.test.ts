/**
 * The DHT node over real UDP sockets on loopback, against raw KRPC speakers this test controls:
 * the rate limit drops a flood, the outbound policy keeps packets from refused addresses, the routing
 * table survives a restart, and hostile or malformed packets cost nothing but themselves.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type BDict, type BEncodable, type BValue, decode, encode, isDict } from '../bencode/index.js';
import { OutboundPolicy } from '../net/index.js';
import { Dht } from './dht.js';
import { compact, parseCompact } from './krpc.js';
import { nodeIdFor, nodeIdMatches } from './node-id.js';
import { DhtSocket } from './socket.js';
import { loadState, saveState } from './state.js';

const HASH = Buffer.alloc(20, 0xab);

interface Raw {
  socket: Socket;
  port: number;
  received: { message: BDict; from: RemoteInfo }[];
  send(message: BEncodable | Buffer, port: number, host?: string): void;
}

/** A raw UDP endpoint on `host` that records the KRPC messages it receives; `answer` may reply. */
async function raw(
  t: TestContext,
  host: string,
  answer?: (m: BDict, from: RemoteInfo, self: Raw) => void,
): Promise<Raw> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  t.after(() => socket.close());
  const self: Raw = {
    socket,
    port: socket.address().port,
    received: [],
    send(message, port, to = '127.0.0.1') {
      socket.send(Buffer.isBuffer(message) ? message : encode(message), port, to);
    },
  };
  socket.on('message', (buf, from) => {
    let m: BValue;
    try {
      m = decode(buf);
    } catch {
      return;
    }
    if (!isDict(m)) return;
    self.received.push({ message: m, from });
    answer?.(m, from, self);
  });
  return self;
}

async function node(t: TestContext, options: ConstructorParameters<typeof Dht>[0] = {}): Promise<Dht> {
  const dht = new Dht({ bootstrap: [], queryTimeoutMs: 500, lookupTimeoutMs: 5000, ...options });
  await dht.start(0, '127.0.0.1');
  await dht.joined();
  t.after(() => dht.close());
  return dht;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ping = (t: string) => ({ t, y: 'q', q: 'ping', a: { id: randomBytes(20) } });

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('Dht over UDP', () => {
  it('drops a flood of queries from one address and still answers the others, with their ip (BEP 42)', async (t) => {
    const dht = await node(t);
    const flooder = await raw(t, '127.0.0.2');
    for (let i = 0; i < 400; i++) {
      flooder.send(ping(`f${i}`), dht.port);
      if (i % 50 === 49) await sleep(5); // within the socket buffers: the node sees (almost) all of them
    }
    await sleep(500);
    const stats = dht.stats!;
    assert.ok(stats.received >= 200, JSON.stringify(stats));
    const answers = flooder.received.length;
    assert.ok(answers >= 1 && answers <= 25, `${answers} answers`);
    assert.ok(stats.rateLimited >= stats.received - 25, JSON.stringify(stats));
    const polite = await raw(t, '127.0.0.3');
    polite.send(ping('ok'), dht.port);
    await until('an answer', () => polite.received.length === 1);
    const answer = polite.received[0]!.message;
    assert.equal(Buffer.from(answer.get('y') as Uint8Array).toString(), 'r');
    assert.deepEqual(parseCompact(answer.get('ip') as Uint8Array), { host: '127.0.0.3', port: polite.port });
  });

  it('never contacts nodes or reports peers at addresses the outbound policy refuses', async (t) => {
    const hidden = await raw(t, '127.0.0.5'); // a node on the "inside" that a stranger names
    const stranger = await raw(t, '127.0.0.1', (m, from, self) => {
      const nodes = Buffer.concat([randomBytes(20), compact({ host: '127.0.0.5', port: hidden.port })]);
      self.send(
        {
          t: m.get('t') as Uint8Array,
          y: 'r',
          r: {
            id: randomBytes(20),
            nodes,
            token: 'tk',
            values: [compact({ host: '127.0.0.9', port: 4000 })],
          },
        },
        from.port,
        from.address,
      );
    });
    // The stranger is a named bootstrap node (the operator's choice, so contacted); what it names is not.
    const guarded = await node(t, {
      policy: new OutboundPolicy(),
      bootstrap: [`127.0.0.1:${stranger.port}`],
    });
    const peers = await guarded.lookup(HASH);
    assert.ok(stranger.received.length > 0, 'the named bootstrap node was asked');
    assert.deepEqual(peers, [], 'no peer at a refused address');
    assert.equal(hidden.received.length, 0, 'the refused node got no packet');
    // The same without a policy reaches both: the test above would see them.
    const open = await node(t, { bootstrap: [`127.0.0.1:${stranger.port}`] });
    const found = await open.lookup(HASH);
    assert.deepEqual(found, [{ host: '127.0.0.9', port: 4000 }]);
    assert.ok(hidden.received.length > 0);
  });

  it('a query to a refused address is not sent and fails at once', async (t) => {
    const hidden = await raw(t, '127.0.0.6');
    const socket = new DhtSocket({ policy: new OutboundPolicy() });
    await socket.listen(0, '127.0.0.1');
    t.after(() => socket.close());
    const got: Buffer[] = [];
    socket.on('message', (m: Buffer) => got.push(m));
    const query = encode({ a: { id: randomBytes(20) }, q: 'ping', t: 'zz', y: 'q' });
    socket.send(query, 0, query.length, hidden.port, '127.0.0.6');
    await until('the refusal', () => got.length === 1);
    assert.equal(Buffer.from((decode(got[0]!) as BDict).get('y') as Uint8Array).toString(), 'e');
    await sleep(100);
    assert.equal(hidden.received.length, 0);
    assert.equal(socket.stats.refused, 1);
  });

  it('keeps its routing table across a restart and bootstraps from it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-dht-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const statePath = join(dir, 'dht.json');
    const other = await node(t);
    const first = new Dht({ bootstrap: [`127.0.0.1:${other.port}`], statePath, queryTimeoutMs: 500 });
    await first.start(0, '127.0.0.1');
    await first.lookup(HASH);
    assert.ok(first.nodeCount >= 1);
    await first.close();
    assert.equal(statSync(statePath).mode & 0o777, 0o600);
    const saved = await loadState(statePath);
    assert.deepEqual(saved.nodes, [{ host: '127.0.0.1', port: other.port }]);
    assert.equal(saved.id?.length, 20);
    // No bootstrap node this time: the saved table is enough.
    const again = await node(t, { statePath });
    await until('the saved node back in the table', () => again.nodeCount === 1);
    assert.deepEqual(again.nodes(), [{ host: '127.0.0.1', port: other.port }]);
  });

  it('takes a BEP 42 node id for the public address saved last time, and keeps a valid one', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-dht-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const statePath = join(dir, 'dht.json');
    await saveState(statePath, { id: Buffer.alloc(20, 9), ip: '124.31.75.21', nodes: [] });
    const first = await node(t, { statePath });
    assert.ok(first.nodeId && nodeIdMatches(first.nodeId, '124.31.75.21'));
    assert.notDeepEqual(first.nodeId, Buffer.alloc(20, 9));
    const valid = nodeIdFor('124.31.75.21');
    await saveState(statePath, { id: valid, ip: '124.31.75.21', nodes: [] });
    const second = await node(t, { statePath });
    assert.deepEqual(second.nodeId, valid, 'a valid saved id is kept');
  });

  it('reads a damaged state file as empty and skips bad entries', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-dht-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'dht.json');
    writeFileSync(path, '{"nodes": [');
    assert.deepEqual(await loadState(path), { nodes: [] });
    writeFileSync(
      path,
      JSON.stringify({ id: 'zz', nodes: [{ host: 'evil', port: 1 }, { host: '192.0.2.1', port: 6881 }, 5] }),
    );
    assert.deepEqual(await loadState(path), { nodes: [{ host: '192.0.2.1', port: 6881 }] });
    await saveState(path, {
      id: Buffer.alloc(20, 3),
      ip: '203.0.113.1',
      nodes: [{ host: '192.0.2.2', port: 1 }],
    });
    const back = await loadState(path);
    assert.deepEqual(back, {
      id: Buffer.alloc(20, 3),
      ip: '203.0.113.1',
      nodes: [{ host: '192.0.2.2', port: 1 }],
    });
  });

  it('survives hostile and malformed packets, and answers a good query after them', async (t) => {
    // A bootstrap node that answers each of our queries with something broken, under the right t.
    const broken: BEncodable[] = [
      { y: 'r', r: { id: 5 } },
      { y: 'r', r: 5 },
      { y: 'r', r: { id: randomBytes(20), nodes: ['a', 'b'], values: 'xyz', token: 7 } },
      { y: 'r', r: { id: randomBytes(20), nodes: randomBytes(27), values: [1, 2, [3]] } },
      { y: 'e', e: { x: 1 } },
      { y: 'r', r: { id: randomBytes(20) }, ip: 'short' },
    ];
    let n = 0;
    const hostile = await raw(t, '127.0.0.1', (m, from, self) => {
      self.send(
        { t: m.get('t') as Uint8Array, ...(broken[n++ % broken.length] as object) },
        from.port,
        from.address,
      );
    });
    const dht = await node(t, { bootstrap: [`127.0.0.1:${hostile.port}`] });
    await dht.lookup(HASH);
    await dht.lookup(HASH);
    assert.ok(hostile.received.length >= 2);
    // Garbage from everywhere: random bytes, valid messages with bytes flipped, deep nesting, huge.
    const valid = [
      encode(ping('aa')),
      encode({ t: 'bb', y: 'q', q: 'get_peers', a: { id: randomBytes(20), info_hash: HASH } }),
      encode({
        t: 'cc',
        y: 'q',
        q: 'announce_peer',
        a: { id: randomBytes(20), info_hash: HASH, port: 1, token: 'x' },
      }),
      encode({ t: 'dd', y: 'r', r: { id: randomBytes(20), nodes: randomBytes(26) } }),
    ];
    // From ten addresses, each within the per-address datagram rate, so every one is parsed.
    const senders = await Promise.all(Array.from({ length: 10 }, (_, i) => raw(t, `127.0.0.${20 + i}`)));
    const sender = await raw(t, '127.0.0.4');
    let seed = 7;
    const random = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    for (let i = 0; i < 1500; i++) {
      const base = Buffer.from(valid[random(valid.length)]!);
      for (let flips = 1 + random(4); flips > 0; flips--) base[random(base.length)] = random(256);
      senders[i % 10]!.send(i % 3 === 0 ? randomBytes(1 + random(200)) : base, dht.port);
      if (i % 100 === 0) await sleep(5);
    }
    await sleep(300); // let the socket drain, so the datagrams below are not lost in its buffer
    // One datagram that kills a bare bittorrent-dht 11 process (an integer info_hash: RangeError).
    sender.send(
      Buffer.from(`d1:ad2:id20:${'a'.repeat(20)}9:info_hashi5ee1:q9:get_peers1:t2:aa1:y1:qe`),
      dht.port,
    );
    sender.send(Buffer.from(`${'l'.repeat(1000)}${'e'.repeat(1000)}`), dht.port);
    sender.send(Buffer.alloc(60_000, 0x64), dht.port);
    sender.send(encode({ t: 'zz', y: 'r', r: { id: randomBytes(20) } }), dht.port); // unsolicited
    await sleep(300);
    const stats = dht.stats!;
    assert.ok(stats.malformed > 100, JSON.stringify(stats));
    assert.ok(stats.unsolicited >= 1, JSON.stringify(stats));
    const client = await raw(t, '127.0.0.7');
    client.send(ping('ok'), dht.port);
    await until('an answer after the garbage', () => client.received.length === 1);
  });
});
