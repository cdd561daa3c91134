import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PeerView, Scheduler } from './scheduler.js';
import { BLOCK } from './wire.js';

const PIECE = 4 * BLOCK;
const layout = { pieceLength: PIECE, length: 10 * PIECE - 100, hashes: new Uint8Array(200) };

function peer(id: string, pieces: number[] | 'all', choking = false): PeerView {
  return { id, choking, hasPiece: (i) => pieces === 'all' || pieces.includes(i) };
}

function setup(options = {}) {
  const held = new Set<number>();
  const s = new Scheduler(layout, (i) => held.has(i), options);
  return { s, held };
}

test('requests blocks in order from the focus, up to the pipeline, from peers that have them', () => {
  const { s } = setup({ pipeline: 6 });
  s.setFocus(3, 0);
  const reqs = s.requestsFor(peer('a', 'all'), 0);
  assert.deepEqual(
    reqs.map((r) => [r.index, r.begin / BLOCK]),
    [
      [3, 0],
      [3, 1],
      [3, 2],
      [3, 3],
      [4, 0],
      [4, 1],
    ],
  );
  assert.equal(s.requestsFor(peer('a', 'all'), 0).length, 0, 'pipeline full');
  const b = s.requestsFor(peer('b', [3, 5]), 0);
  assert.deepEqual(
    b.map((r) => [r.index, r.begin / BLOCK]),
    [
      [5, 0],
      [5, 1],
      [5, 2],
      [5, 3],
    ],
    'b skips what a was asked for and what it lacks',
  );
});

test('the last piece is short and its last block too', () => {
  const { s } = setup({ pipeline: 100 });
  s.setFocus(9, 0);
  const reqs = s.requestsFor(peer('a', [9]), 0);
  assert.deepEqual(
    reqs.map((r) => r.length),
    [BLOCK, BLOCK, BLOCK, BLOCK - 100],
  );
});

test('after the focus to the end, then the pieces before it (so a viewer can share the whole file)', () => {
  const { s } = setup();
  s.setFocus(8, 0);
  assert.deepEqual([...s.order()], [8, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
  const limited = setup({ readahead: 2 }).s;
  limited.setFocus(3, 0);
  assert.deepEqual([...limited.order()], [3, 4, 5, 0, 1, 2]);
});

test('a choking peer gets no requests; a peer that leaves frees its blocks for others', () => {
  const { s } = setup({ pipeline: 4 });
  assert.deepEqual(s.requestsFor(peer('a', 'all', true), 0), []);
  assert.equal(s.requestsFor(peer('a', 'all'), 0).length, 4);
  assert.equal(s.onPeerIdle('a'), 4);
  assert.deepEqual(
    s.requestsFor(peer('b', 'all'), 0).map((r) => [r.index, r.begin]),
    [
      [0, 0],
      [0, BLOCK],
      [0, 2 * BLOCK],
      [0, 3 * BLOCK],
    ],
  );
});

test('a request that timed out may go to another peer; the late block is ignored', () => {
  const { s } = setup({ pipeline: 1, requestTimeoutMs: 1000 });
  assert.deepEqual(s.requestsFor(peer('a', 'all'), 0)[0], { index: 0, begin: 0, length: BLOCK });
  assert.equal(s.requestsFor(peer('b', 'all'), 500)[0]?.begin, BLOCK, 'not yet timed out');
  assert.deepEqual(s.requestsFor(peer('c', 'all'), 1500)[0], { index: 0, begin: 0, length: BLOCK });
  assert.equal(s.onBlock('a', 0, 0, new Uint8Array(BLOCK)), undefined);
});

test('blocks assemble into a piece; blocks nobody asked for are dropped', () => {
  const { s, held } = setup({ pipeline: 8 });
  const reqs = s.requestsFor(peer('a', [0]), 0);
  assert.equal(reqs.length, 4);
  assert.equal(s.onBlock('b', 0, 0, new Uint8Array(BLOCK)), undefined, 'not asked of b');
  let done: ReturnType<Scheduler['onBlock']>;
  for (const r of reqs)
    done = s.onBlock('a', r.index, r.begin, new Uint8Array(r.length).fill(r.begin / BLOCK + 1));
  assert.ok(done!);
  assert.equal(done.data[0], 1);
  assert.equal(done.data[3 * BLOCK], 4);
  held.add(0);
  s.onStored(0);
  assert.equal(s.inflightOf('a'), 0);
});

test('a piece that failed its hash is asked for again', () => {
  const { s } = setup({ pipeline: 4 });
  for (const r of s.requestsFor(peer('a', [0]), 0))
    s.onBlock('a', r.index, r.begin, new Uint8Array(r.length));
  s.onBadPiece(0);
  assert.equal(s.requestsFor(peer('b', [0]), 0).length, 4);
});

test('web seed: an urgent piece no peer has is due after the grace period', () => {
  const { s } = setup({ noPeerGraceMs: 500, deadlineMs: 2000, urgentAhead: 1 });
  s.setFocus(0, 1000);
  assert.deepEqual(s.webSeedDue([], 1400), []);
  assert.deepEqual(s.webSeedDue([], 1500), [0, 1]);
  assert.deepEqual(s.webSeedDue([], 1600), [], 'already being fetched');
  assert.equal(s.isUrgent(2), false, 'not urgent: never from the web seed');
});

test('web seed: an urgent piece a peer has waits for its deadline; a failure is retried later', () => {
  const { s } = setup({ noPeerGraceMs: 500, deadlineMs: 2000, retryMs: 3000, urgentAhead: 0 });
  const a = peer('a', [0]);
  s.setFocus(0, 0);
  assert.deepEqual(s.webSeedDue([a], 1999), []);
  assert.deepEqual(s.webSeedDue([a], 2000), [0]);
  s.onWebSeedFailed(0, 2100);
  assert.deepEqual(s.webSeedDue([a], 5000), []);
  assert.deepEqual(s.webSeedDue([a], 5100), [0]);
});

test('pieces held are neither requested nor due, and moving the focus drops old urgency', () => {
  const { s, held } = setup({ noPeerGraceMs: 0, urgentAhead: 1 });
  held.add(0);
  s.setFocus(0, 0);
  assert.deepEqual(s.webSeedDue([], 10), [1]);
  s.setFocus(5, 20);
  assert.equal(s.isUrgent(1), false);
  assert.deepEqual(s.webSeedDue([], 30), [5, 6]);
  assert.equal(s.requestsFor(peer('a', [0]), 40).length, 0);
});
