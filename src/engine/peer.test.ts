/** What a peer announced before the metadata was known (magnet links): held, then applied together. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerConnection } from '../wire/index.js';
import { blockKey, Peer } from './peer.js';

const peer = () => new Peer({} as PeerConnection, { host: '127.0.0.1', port: 1 });
const list = (bits: { length: number; has(i: number): boolean }) =>
  Array.from({ length: bits.length }, (_, i) => i).filter((i) => bits.has(i));

describe('Peer: announcements before the metadata', () => {
  it('nothing announced: nothing to apply', () => {
    assert.equal(peer().takeHeld(10), undefined);
  });

  it("have none and the haves after it (a super-seed) make the peer's pieces", () => {
    const p = peer();
    p.holdAnnouncement('none');
    p.holdHave(3);
    p.holdHave(7);
    p.holdHave(7);
    p.holdHave(12); // out of range for 10 pieces: ignored
    const bits = p.takeHeld(10);
    assert.ok(bits && bits !== 'wrongLength');
    assert.deepEqual(list(bits), [3, 7]);
    assert.equal(p.takeHeld(10), undefined, 'applied once');
  });

  it('haves alone count too; a bitfield or have all replaces what came before', () => {
    const p = peer();
    p.holdHave(1);
    const only = p.takeHeld(4);
    assert.ok(only && only !== 'wrongLength');
    assert.deepEqual(list(only), [1]);
    p.holdHave(0);
    p.holdAnnouncement(Uint8Array.of(0b0100_0000));
    p.holdHave(3);
    const bits = p.takeHeld(4);
    assert.ok(bits && bits !== 'wrongLength');
    assert.deepEqual(list(bits), [1, 3]);
    p.holdAnnouncement('all');
    const all = p.takeHeld(4);
    assert.ok(all && all !== 'wrongLength');
    assert.equal(all.complete, true);
  });

  it('a bitfield that does not fit the torrent is reported; haves past 2^24 are not kept', () => {
    const p = peer();
    p.holdAnnouncement(new Uint8Array(3));
    assert.equal(p.takeHeld(10), 'wrongLength');
    const q = peer();
    q.holdHave(2 ** 24);
    q.holdHave(2 ** 32 - 1);
    assert.equal(q.pendingHaves.size, 0);
  });
});

describe('Peer: request pipeline', () => {
  it("starts by where the peer is, and never asks more than the peer's reqq", () => {
    const conn = (reqq?: number) => ({ remoteExtended: reqq ? { reqq } : undefined }) as PeerConnection;
    const local = new Peer(conn(), { host: '127.0.0.1', port: 1 });
    const remote = new Peer(conn(), { host: '8.8.8.8', port: 1 });
    assert.ok(local.pipeline > remote.pipeline, `${local.pipeline} > ${remote.pipeline}`);
    assert.equal(local.wantRequests(), local.pipeline, 'an empty queue is filled at once');
    const capped = new Peer(conn(100), { host: '127.0.0.1', port: 1 });
    assert.equal(capped.wantRequests(), 100);
    for (let i = 0; i < 90; i++)
      capped.outstanding.set(blockKey(i, 0), { block: { index: i, begin: 0, length: 16384 }, sentAt: 0 });
    assert.equal(capped.wantRequests(), 0, '10 free of 100: wait for a batch (13) to be free');
    capped.outstanding.delete(blockKey(0, 0));
    capped.outstanding.delete(blockKey(1, 0));
    capped.outstanding.delete(blockKey(2, 0));
    assert.equal(capped.wantRequests(), 13);
  });
});

describe('blockKey', () => {
  it('gives every block of the largest pieces and of the most pieces its own exact key', () => {
    const lastBegin = 128 * 1024 * 1024 - 16 * 1024; // the last block of a 128 MiB piece
    const keys = [
      [0, 0],
      [0, 16384],
      [1, 0],
      [0, lastBegin],
      [1, lastBegin],
      [2 ** 26 - 1, 0],
      [2 ** 26 - 1, lastBegin],
      [2 ** 26 - 2, lastBegin],
    ].map(([i, b]) => blockKey(i!, b!));
    assert.equal(new Set(keys).size, keys.length);
    for (const k of keys) assert.ok(Number.isSafeInteger(k), `${k} is exact`);
    assert.ok(blockKey(0, lastBegin) < blockKey(1, 0), 'a piece never reaches into the next one');
  });
});
