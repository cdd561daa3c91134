import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { type MessageChannelLike, Peer } from './peer.js';
import { PieceStore, verifyPiece } from './pieces.js';
import { Scheduler } from './scheduler.js';
import { Uploader } from './upload.js';
import type { WireMessage } from './wire.js';

const PIECE = 32 * 1024;
const content = new Uint8Array(3 * PIECE - 1000).map((_, i) => (i * 31) & 0xff);
const hashes = new Uint8Array(3 * 20);
for (let i = 0; i < 3; i++) {
  hashes.set(
    createHash('sha1')
      .update(content.subarray(i * PIECE, (i + 1) * PIECE))
      .digest(),
    i * 20,
  );
}
const layout = { pieceLength: PIECE, length: content.length, hashes };
const infoHash = new Uint8Array(20).fill(3);

/** Two peers joined by in-memory channels (delivery on a later tick, like a data channel). */
function pair(onA: (p: Peer, m: WireMessage) => void, onB: (p: Peer, m: WireMessage) => void) {
  let a!: Peer;
  let b!: Peer;
  const channel = (to: () => Peer): MessageChannelLike => ({
    bufferedAmount: 0,
    send: (data) => setImmediate(() => to().receive(data.slice())),
    close: () => undefined,
  });
  a = new Peer(
    'a',
    channel(() => b),
    infoHash,
    { message: onA, close: () => undefined },
    3,
  );
  b = new Peer(
    'b',
    channel(() => a),
    infoHash,
    { message: onB, close: () => undefined },
    3,
  );
  return { a, b };
}

test('a viewer serves verified pieces to an interested peer it unchoked, and only those', async () => {
  const seedStore = new PieceStore(layout);
  for (let i = 0; i < 2; i++) seedStore.put(i, content.slice(i * PIECE, (i + 1) * PIECE));
  const uploader = new Uploader(layout, seedStore, { slots: 1 });
  const store = new PieceStore(layout);
  const scheduler = new Scheduler(layout, (i) => store.holds(i), { pipeline: 4 });
  const done: Promise<void>[] = [];
  const { a, b } = pair(
    (p, m) => {
      if (m.type === 'interested') uploader.onInterest(p, [p]);
      if (m.type === 'request') uploader.onRequest(p, m);
    },
    (p, m) => {
      if (m.type === 'bitfield') p.send({ type: 'interested' });
      if (m.type === 'unchoke' || m.type === 'piece') {
        if (m.type === 'piece') {
          const assembly = scheduler.onBlock(p.id, m.index, m.begin, m.block);
          if (assembly)
            done.push(
              verifyPiece(layout, m.index, assembly.data).then((ok) => {
                assert.ok(ok, `piece ${m.index} verifies`);
                store.put(m.index, assembly.data);
                scheduler.onStored(m.index);
              }),
            );
        }
        for (const r of scheduler.requestsFor(p, Date.now())) p.send({ type: 'request', ...r });
      }
    },
  );
  a.start(new Uint8Array(20).fill(1), seedStore.have);
  b.start(new Uint8Array(20).fill(2), store.have);
  for (let i = 0; i < 50 && !(store.holds(0) && store.holds(1)); i++) {
    await new Promise((r) => setTimeout(r, 10));
    await Promise.all(done);
  }
  assert.ok(store.holds(0) && store.holds(1), 'both pieces the viewer had arrived and verified');
  assert.equal(store.holds(2), false, 'the piece the viewer lacks was never sent');
  assert.equal(a.bytesOut, 2 * PIECE);
  assert.equal(a.amChoking, false);
});

test('requests from a choked peer, for missing pieces or past the piece end are ignored', () => {
  const store = new PieceStore(layout);
  store.put(0, content.slice(0, PIECE));
  const uploader = new Uploader(layout, store);
  const sent: Uint8Array[] = [];
  const peer = new Peer(
    'x',
    { bufferedAmount: 0, send: (d) => sent.push(d), close: () => undefined },
    infoHash,
    { message: () => undefined, close: () => undefined },
    3,
  );
  uploader.onRequest(peer, { index: 0, begin: 0, length: 16384 });
  assert.equal(sent.length, 0, 'choked');
  peer.interested = true;
  uploader.rechoke([peer]);
  assert.equal(sent.length, 1, 'unchoke sent');
  uploader.onRequest(peer, { index: 1, begin: 0, length: 16384 });
  uploader.onRequest(peer, { index: 0, begin: PIECE - 100, length: 16384 });
  assert.equal(sent.length, 1, 'nothing for a missing piece or past the end');
  uploader.onRequest(peer, { index: 0, begin: 16384, length: 16384 });
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.length, 13 + 16384);
});
