import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bitfield } from './bitfield.js';
import { BLOCK_SIZE, type BlockRequest, PiecePicker } from './picker.js';

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

const PIECE = 4 * BLOCK_SIZE;

function picker(
  pieceCount: number,
  options: { have?: number[]; randomFirst?: number; lastPiece?: number } = {},
) {
  const have = new Bitfield(pieceCount);
  for (const i of options.have ?? []) have.set(i);
  const geometry = {
    pieceCount,
    pieceSize: (i: number) => (i === pieceCount - 1 && options.lastPiece ? options.lastPiece : PIECE),
  };
  return {
    have,
    picker: new PiecePicker(geometry, have, { random: seeded(7), randomFirst: options.randomFirst ?? 0 }),
  };
}

function bits(length: number, set: number[]): Bitfield {
  const b = new Bitfield(length);
  for (const i of set) b.set(i);
  return b;
}

describe('Bitfield', () => {
  it('lays bits out high bit first and clears spare bits', () => {
    const b = new Bitfield(10, Uint8Array.from([0b1010_0000, 0xff]));
    assert.ok(b.has(0) && !b.has(1) && b.has(2) && b.has(8) && b.has(9));
    assert.equal(b.count, 4);
    assert.equal(b.bytes[1], 0b1100_0000);
    b.set(1);
    b.clear(0);
    assert.equal(b.bytes[0], 0b0110_0000);
    assert.equal(Bitfield.full(10).complete, true);
  });
});

describe('PiecePicker', () => {
  it('picks the rarest piece the peer has', () => {
    const { picker: p } = picker(6);
    p.addAvailability(bits(6, [0, 1, 2, 3, 4, 5]));
    p.addAvailability(bits(6, [0, 1, 2, 4, 5]));
    p.addAvailability(bits(6, [0, 1, 2, 5]));
    // availability: 0,1,2,5 -> 3; 4 -> 2; 3 -> 1
    const first = p.pick('a', 'all', 4);
    assert.deepEqual(
      first.map((r) => r.index),
      [3, 3, 3, 3],
    );
    const second = p.pick('b', bits(6, [0, 4, 5]), 1);
    assert.equal(second[0]!.index, 4);
  });

  it('requests whole blocks with a short last block', () => {
    const { picker: p } = picker(2, { lastPiece: BLOCK_SIZE + 100 });
    const reqs = p.pick('a', bits(2, [1]), 10);
    assert.deepEqual(reqs, [
      { index: 1, begin: 0, length: BLOCK_SIZE },
      { index: 1, begin: BLOCK_SIZE, length: 100 },
    ]);
  });

  it('finishes partly downloaded pieces before starting new ones', () => {
    const { picker: p } = picker(8);
    const a = p.pick('a', 'all', 2);
    assert.equal(new Set(a.map((r) => r.index)).size, 1);
    p.releasePeer('a');
    const b = p.pick('b', 'all', 4);
    assert.ok(
      b.every((r) => r.index === a[0]!.index),
      'b continues the piece a started',
    );
  });

  it('picks at random while it has fewer than randomFirst pieces', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed < 30; seed++) {
      const have = new Bitfield(50);
      const p = new PiecePicker({ pieceCount: 50, pieceSize: () => PIECE }, have, {
        random: seeded(seed),
        randomFirst: 4,
      });
      for (let i = 0; i < 50; i++) for (let k = 0; k < i; k++) p.addAvailability(i);
      seen.add(p.pick('a', 'all', 1)[0]!.index);
    }
    assert.ok(seen.size > 5, `random first pieces vary (${seen.size} distinct)`);
  });

  it('never picks pieces it has or the peer lacks', () => {
    const { picker: p } = picker(4, { have: [0, 1] });
    const reqs = p.pick('a', bits(4, [1, 2]), 100);
    assert.ok(reqs.length > 0 && reqs.every((r) => r.index === 2));
    assert.deepEqual(p.pick('b', bits(4, [0, 1]), 10), []);
  });

  it('reports a complete piece and re-downloads it when verification fails', () => {
    const { picker: p, have } = picker(1);
    const reqs = p.pick('a', 'all', 10);
    assert.equal(reqs.length, 4);
    const results = reqs.map((r) => p.received('a', r));
    assert.deepEqual(
      results.map((r) => r.pieceComplete),
      [false, false, false, true],
    );
    assert.equal(p.received('a', reqs[0]!).fresh, false, 'a second copy is not fresh');
    p.pieceFailed(0);
    assert.equal(p.pick('a', 'all', 10).length, 4);
    for (const r of p.pick('b', 'all', 10)) p.received('b', r);
    p.pieceVerified(0);
    assert.equal(have.has(0), true);
    assert.deepEqual(p.pick('a', 'all', 10), []);
  });

  it('enters endgame and cancels duplicates when the first copy arrives', () => {
    const { picker: p } = picker(2);
    const a = p.pick('a', 'all', 100);
    assert.equal(a.length, 8);
    assert.equal(p.endgame, true);
    const b = p.pick('b', 'all', 100);
    assert.equal(b.length, 8, 'b is asked for the same blocks');
    const c = p.pick('c', 'all', 100);
    assert.equal(c.length, 0, 'at most two peers per block');
    const r = p.received('b', b[0]!);
    assert.deepEqual(r.cancel, ['a']);
    assert.equal(p.received('a', b[0]!).fresh, false);
  });

  it('offers released blocks to other peers', () => {
    const { picker: p } = picker(1);
    const a = p.pick('a', 'all', 2);
    p.release('a', a[0]!);
    const b = p.pick('b', 'all', 1);
    assert.deepEqual(b[0], a[0]);
  });

  it('tracks availability as peers come and go', () => {
    const { picker: p } = picker(3);
    const peer = bits(3, [0, 2]);
    p.addAvailability(peer);
    p.addAvailability(1);
    assert.deepEqual(
      [0, 1, 2].map((i) => p.availabilityOf(i)),
      [1, 1, 1],
    );
    p.removeAvailability(peer);
    p.removeAvailability(peer);
    assert.deepEqual(
      [0, 1, 2].map((i) => p.availabilityOf(i)),
      [0, 1, 0],
    );
  });
});

describe('PiecePicker: partial pieces kept in order', () => {
  it('continues the partial piece with the most blocks received first', () => {
    const { picker: p } = picker(8);
    const first = p.pick('a', 'all', 4); // one whole piece
    const second = p.pick('a', 'all', 4); // another
    assert.notEqual(first[0]!.index, second[0]!.index);
    p.received('a', first[0]!);
    for (const r of second.slice(0, 3)) p.received('a', r);
    p.releasePeer('a'); // both pieces have free blocks again: 3 of `first`, 1 of `second`
    const next = p.pick('b', 'all', 1);
    assert.equal(next[0]!.index, second[0]!.index, 'the piece with 3 of 4 blocks in comes first');
    const after = p.pick('b', 'all', 3);
    assert.deepEqual(
      after.map((r) => r.index),
      [first[0]!.index, first[0]!.index, first[0]!.index],
    );
  });

  it('moves a piece ahead of the others as its blocks arrive', () => {
    const { picker: p } = picker(8);
    const a = p.pick('a', 'all', 2); // half of one piece
    const other = bits(8, [0, 1, 2, 3, 4, 5, 6, 7]);
    other.clear(a[0]!.index);
    const b = p.pick('b', other, 2); // half of another
    assert.notEqual(a[0]!.index, b[0]!.index);
    for (const r of b) p.received('b', r);
    const c = p.pick('c', 'all', 1);
    assert.equal(c[0]!.index, b[0]!.index, 'the piece with 2 blocks in comes before the one with none');
  });

  it('stops at max without starting new pieces, and a released block is offered again first', () => {
    const { picker: p } = picker(8);
    const a = p.pick('a', 'all', 3);
    assert.equal(new Set(a.map((r) => r.index)).size, 1);
    p.release('a', a[1]!);
    const b = p.pick('b', 'all', 2);
    assert.deepEqual(
      b.map((r) => r.begin),
      [a[1]!.begin, 3 * BLOCK_SIZE],
      'the released block, then the piece goes on',
    );
  });

  it('keeps its bookkeeping under random requests, arrivals, releases and departures', () => {
    const random = seeded(11);
    const n = 12;
    const { picker: p, have } = picker(n, { lastPiece: BLOCK_SIZE + 7 });
    const peers = ['a', 'b', 'c'];
    const asked = new Map<string, Map<string, BlockRequest>>(peers.map((x) => [x, new Map()]));
    const got = new Set<string>();
    const key = (r: BlockRequest) => `${r.index}:${r.begin}`;
    const totalBlocks = (n - 1) * 4 + 2;
    for (let step = 0; step < 5000 && have.count < n; step++) {
      const peer = peers[Math.floor(random() * peers.length)]!;
      const mine = asked.get(peer)!;
      const roll = random();
      if (roll < 0.4) {
        const wasEndgame = p.endgame;
        for (const r of p.pick(peer, 'all', 1 + Math.floor(random() * 5))) {
          assert.ok(!got.has(key(r)), 'never a block already received');
          assert.ok(!mine.has(key(r)), 'never the same block twice to one peer');
          const others = peers.filter((x) => x !== peer && asked.get(x)!.has(key(r)));
          if (!wasEndgame && !p.endgame) assert.equal(others.length, 0, 'one peer per block outside endgame');
          assert.ok(others.length <= 1, 'at most two peers per block');
          mine.set(key(r), r);
        }
      } else if (roll < 0.85 && mine.size > 0) {
        const r = [...mine.values()][Math.floor(random() * mine.size)]!;
        mine.delete(key(r));
        const result = p.received(peer, r);
        assert.equal(result.fresh, !got.has(key(r)));
        for (const other of result.cancel) asked.get(other as string)!.delete(key(r));
        got.add(key(r));
        if (result.pieceComplete) p.pieceVerified(r.index);
      } else if (roll < 0.95 && mine.size > 0) {
        const r = [...mine.values()][0]!;
        mine.delete(key(r));
        p.release(peer, r);
      } else {
        mine.clear();
        p.releasePeer(peer);
      }
      // endgame: every block not received is asked of someone, and every missing piece is started
      const outstanding = new Set([...asked.values()].flatMap((m) => [...m.keys()]));
      const unasked = totalBlocks - got.size - [...outstanding].filter((k) => !got.has(k)).length;
      if (p.endgame) assert.equal(unasked, 0, 'endgame only once every block is asked for');
    }
    assert.equal(have.count, n, 'the download completes');
    assert.equal(got.size, totalBlocks);
  });
});
