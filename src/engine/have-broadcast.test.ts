import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { HAVE_INTERVAL_MS, HaveBroadcast } from './have-broadcast.js';
import type { Peer } from './peer.js';

/** Peers that record the `have`s sent to them. */
function swarm(count: number, complete = false) {
  const sent: number[][] = Array.from({ length: count }, () => []);
  const peers = new Map<unknown, Peer>();
  for (const [i, got] of sent.entries()) {
    const conn = { open: i !== count - 1, send: (m: { index: number }) => got.push(m.index) };
    peers.set(i, { conn } as unknown as Peer);
  }
  return { source: { peers, complete }, sent };
}

describe('HaveBroadcast', () => {
  it('announces the pieces of one turn together at the end of the turn, to every open peer', async () => {
    const { source, sent } = swarm(3);
    const haves = new HaveBroadcast(source);
    haves.add(4);
    haves.add(7);
    assert.deepEqual(sent, [[], [], []]);
    await nextTurn();
    assert.deepEqual(sent, [[4, 7], [4, 7], []], 'the closed peer gets nothing');
  });

  it('gathers the pieces verified soon after a flush and sends them once the interval is over', async () => {
    const { source, sent } = swarm(2);
    const haves = new HaveBroadcast(source);
    haves.add(1);
    await nextTurn();
    haves.add(2);
    haves.add(3);
    await nextTurn();
    assert.deepEqual(sent[0], [1], 'within the interval the next pieces wait');
    await sleep(HAVE_INTERVAL_MS + 20);
    assert.deepEqual(sent[0], [1, 2, 3]);
  });

  it('announces the last piece at once when the session is complete', () => {
    const { source, sent } = swarm(2, true);
    const haves = new HaveBroadcast(source);
    haves.add(9);
    assert.deepEqual(sent[0], [9]);
  });
});
