import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ChokeCandidate, chokeRound, DEFAULT_UPLOAD_SLOTS } from './choker.js';

const peer = (key: string, rate: number, lastUnchokedAt?: number, interested = true): ChokeCandidate => ({
  key,
  interested,
  downloadRate: rate,
  unchoked: false,
  lastUnchokedAt,
});

describe('chokeRound', () => {
  it('unchokes the fastest uploaders plus one optimistic peer while downloading', () => {
    const peers = [
      peer('a', 10),
      peer('b', 500),
      peer('c', 300),
      peer('d', 200),
      peer('e', 1),
      peer('f', 999, undefined, false),
    ];
    const { unchoke, optimistic } = chokeRound({
      peers,
      seeding: false,
      slots: 4,
      rotateOptimistic: true,
      now: 0,
      random: () => 0,
    });
    assert.deepEqual([...unchoke].slice(0, 3), ['b', 'c', 'd']);
    assert.equal(unchoke.size, 4);
    assert.ok(optimistic === 'a' || optimistic === 'e');
    assert.ok(!unchoke.has('f'), 'peers that are not interested stay choked');
  });

  it('keeps the optimistic unchoke until it rotates', () => {
    const peers = [peer('a', 0), peer('b', 0), peer('c', 0)];
    const first = chokeRound({
      peers,
      seeding: false,
      slots: 2,
      rotateOptimistic: true,
      now: 0,
      random: () => 0.99,
    });
    const again = chokeRound({
      peers,
      seeding: false,
      slots: 2,
      optimistic: first.optimistic,
      rotateOptimistic: false,
      now: 1,
      random: () => 0,
    });
    assert.equal(again.optimistic, first.optimistic);
  });

  it('gives every interested peer a turn when seeding', () => {
    const peers = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => peer(k, 0));
    const turns = new Map<string, number>();
    let state = peers;
    for (let round = 0; round < 6; round++) {
      const { unchoke } = chokeRound({
        peers: state,
        seeding: true,
        slots: 2,
        rotateOptimistic: false,
        now: round,
      });
      for (const k of unchoke) turns.set(k as string, (turns.get(k as string) ?? 0) + 1);
      state = state.map((p) => ({
        ...p,
        unchoked: unchoke.has(p.key),
        lastUnchokedAt: unchoke.has(p.key) && !p.unchoked ? round : p.lastUnchokedAt,
      }));
    }
    assert.equal(turns.size, 6, `everyone was unchoked at least once: ${[...turns.keys()]}`);
    assert.ok(Math.max(...turns.values()) <= 3, 'no peer hogs the slots');
  });

  it("gives libtorrent's eight upload slots when the session sets none", () => {
    const peers = Array.from({ length: 12 }, (_, i) => peer(`p${i}`, i * 10));
    const { unchoke } = chokeRound({
      peers,
      seeding: false,
      rotateOptimistic: true,
      now: 0,
      random: () => 0,
    });
    assert.equal(unchoke.size, DEFAULT_UPLOAD_SLOTS);
    assert.equal(DEFAULT_UPLOAD_SLOTS, 8);
  });
});
