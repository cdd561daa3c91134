import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bitfield } from './bitfield.js';
import { SuperSeeder } from './super-seed.js';

/** Deterministic random source (LCG) so runs are repeatable. */
function seeded(seed = 1): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('SuperSeeder', () => {
  it('reveals distinct pieces to different peers, a few at a time', () => {
    const s = new SuperSeeder<string>({ pieceCount: 20, perPeer: 3, random: seeded() });
    s.addPeer('a', 0);
    s.addPeer('b', 0);
    const a = s.reveal('a', 0);
    const b = s.reveal('b', 0);
    assert.equal(a.length, 3);
    assert.equal(b.length, 3);
    assert.equal(new Set([...a, ...b]).size, 6, 'no piece offered twice');
    assert.deepEqual(s.reveal('a', 0), [], 'nothing more until the peer has some');
    for (const i of a) assert.ok(s.mayServe('a', i));
    for (const i of b) assert.ok(!s.mayServe('a', i), 'pieces revealed to b are not served to a');
  });

  it('sends every piece exactly once while peers trade', () => {
    const n = 50;
    const s = new SuperSeeder<string>({ pieceCount: n, perPeer: 2, starveMs: 1000, random: seeded(7) });
    const peers = ['a', 'b', 'c', 'd'];
    const held = new Map(peers.map((p) => [p, new Set<number>()]));
    const give = (p: string, i: number, now: number) => {
      held.get(p)!.add(i);
      s.peerHas(p, i, now);
    };
    for (const p of peers) s.addPeer(p, 0);
    const sent = new Map<number, number>();
    let now = 0;
    // Each step every peer gets what the seed revealed to it, then one piece from another peer.
    for (let step = 0; step < 200; step++) {
      now += 100;
      for (const p of peers) {
        for (const i of s.reveal(p, now)) {
          sent.set(i, (sent.get(i) ?? 0) + 1);
          give(p, i, now);
        }
      }
      for (const p of peers) {
        const mine = held.get(p)!;
        const from = peers.map((q) => held.get(q)!).find((h) => [...h].some((i) => !mine.has(i)));
        const piece = from && [...from].find((i) => !mine.has(i));
        if (piece !== undefined) give(p, piece, now);
      }
    }
    for (const p of peers) assert.equal(held.get(p)!.size, n, `${p} has everything`);
    assert.equal(sent.size, n, 'every piece left the seed');
    assert.ok(
      [...sent.values()].every((c) => c === 1),
      'no piece twice',
    );
  });

  it('serves a peer alone with the seed every piece (first copies only)', () => {
    const s = new SuperSeeder<string>({ pieceCount: 10, perPeer: 4, random: seeded(3) });
    s.addPeer('solo', 0);
    const got = new Set<number>();
    for (let round = 0; round < 10; round++) {
      for (const i of s.reveal('solo', round)) {
        got.add(i);
        s.peerHas('solo', i, round);
      }
    }
    assert.equal(got.size, 10);
    assert.ok(!s.isStarving('solo', 9), 'it never needed the starving rule');
  });

  it('serves a starving peer pieces the swarm already has', () => {
    const s = new SuperSeeder<string>({ pieceCount: 4, perPeer: 2, starveMs: 1000, random: seeded() });
    s.addPeer('full', 0, Bitfield.full(4));
    s.addPeer('stuck', 0);
    assert.deepEqual(s.reveal('stuck', 500), [], 'every piece has a copy: wait for the swarm');
    assert.ok(!s.isStarving('stuck', 999));
    assert.ok(s.isStarving('stuck', 1000));
    const got = s.reveal('stuck', 1000);
    assert.equal(got.length, 2, 'starving: served like a normal seed');
    for (const i of got) s.peerHas('stuck', i, 1100);
    assert.ok(s.isStarving('stuck', 2000), "the seed's own pieces are not progress from the swarm");
    assert.equal(s.reveal('stuck', 2000).length, 2);
    // A piece from the swarm (not revealed by the seed) ends starvation.
    const s2 = new SuperSeeder<string>({ pieceCount: 4, perPeer: 2, starveMs: 1000, random: seeded() });
    s2.addPeer('full', 0, Bitfield.full(4));
    s2.addPeer('fed', 0);
    s2.peerHas('fed', 0, 900);
    assert.ok(!s2.isStarving('fed', 1500));
    assert.deepEqual(s2.reveal('fed', 1500), []);
  });

  it('forgets a peer that leaves: its pieces no longer count as copies', () => {
    const s = new SuperSeeder<string>({ pieceCount: 3, perPeer: 3, random: seeded() });
    s.addPeer('gone', 0, Bitfield.full(3));
    s.addPeer('new', 0);
    assert.deepEqual(s.reveal('new', 0), []);
    s.removePeer('gone');
    for (let i = 0; i < 3; i++) assert.equal(s.copiesOf(i), 0);
    assert.equal(s.reveal('new', 0).length, 3, 'now the only copies are the seed');
  });

  it('counts a revealed piece once whoever delivers it', () => {
    const s = new SuperSeeder<string>({ pieceCount: 2, perPeer: 1, random: () => 0 });
    s.addPeer('a', 0);
    assert.deepEqual(s.reveal('a', 0), [0]);
    assert.equal(s.copiesOf(0), 1, 'offered: counted as a copy already');
    s.peerHas('a', 0, 1);
    assert.equal(s.copiesOf(0), 1);
    s.peerHas('a', 0, 2);
    assert.equal(s.copiesOf(0), 1, 'a repeated have changes nothing');
    assert.ok(!s.mayServe('a', 1));
    assert.ok(!s.mayServe('unknown', 0));
  });
});
