import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFERRAL_DEFAULTS as D,
  isServed,
  type PeerActivity,
  WebSeedGate,
  webSeedVerdict,
} from './web-seed-deferral.js';

const NOW = 1_000_000;
const old = NOW - 60_000;

function peer(p: Partial<PeerActivity> = {}): PeerActivity {
  return {
    connectedAt: old,
    lastServedAt: undefined,
    lastHaveAt: undefined,
    queued: 0,
    unchoked: true,
    seed: false,
    ...p,
  };
}

const served = () => peer({ lastServedAt: NOW - 1000 });
const idle = () => peer();

test('a peer is served while new, while its requests are queued, and shortly after a block or a new piece', () => {
  assert.equal(isServed(peer({ connectedAt: NOW - D.graceMs + 1 }), NOW), true);
  assert.equal(isServed(peer({ queued: 3 }), NOW), true);
  assert.equal(isServed(peer({ queued: 3, unchoked: false }), NOW), false, 'choked: its requests wait');
  assert.equal(isServed(peer({ lastServedAt: NOW - D.windowMs + 1 }), NOW), true);
  assert.equal(isServed(peer({ lastServedAt: NOW - D.windowMs }), NOW), false);
  assert.equal(isServed(peer({ lastHaveAt: NOW - 500 }), NOW), true);
  assert.equal(isServed(idle(), NOW), false, 'connected long ago and nothing since: not served');
});

test('an address without downloading peers, or with none served, is always served', () => {
  for (const peers of [[], [peer({ seed: true })], [idle(), idle()]]) {
    const v = webSeedVerdict({ peers, inFlight: 50, lastTrickleAt: NOW }, NOW);
    assert.equal(v.serve, true, JSON.stringify(peers));
  }
});

test('a shared address with unserved peers gets their share of responses in flight', () => {
  const peers = [served(), served(), idle()];
  const share = D.perClientInFlight;
  assert.equal(webSeedVerdict({ peers, inFlight: share - 1, lastTrickleAt: NOW }, NOW).serve, true);
  const busy = webSeedVerdict({ peers, inFlight: share, lastTrickleAt: NOW }, NOW);
  assert.deepEqual([busy.serve, !busy.serve && busy.retryAfter], [false, D.busyRetryAfter]);
  const two = [...peers, idle()];
  assert.equal(webSeedVerdict({ peers: two, inFlight: share, lastTrickleAt: NOW }, NOW).serve, true);
});

test('an address whose peers are all served is deferred, but for one request per trickle period', () => {
  const peers = [served(), peer({ lastHaveAt: NOW - 100 }), peer({ seed: true })];
  const first = webSeedVerdict({ peers, inFlight: 0, lastTrickleAt: undefined }, NOW);
  assert.deepEqual([first.serve, first.serve && first.trickle], [true, true]);
  const soon = webSeedVerdict({ peers, inFlight: 0, lastTrickleAt: NOW - D.trickleMs + 1 }, NOW);
  assert.deepEqual([soon.serve, !soon.serve && soon.retryAfter], [false, D.retryAfter]);
  const busy = webSeedVerdict({ peers, inFlight: 1, lastTrickleAt: undefined }, NOW);
  assert.equal(busy.serve, false, 'not while a response is in flight');
});

test('the gate counts responses in flight per item and address, and the trickle per address', () => {
  const gate = new WebSeedGate();
  const mixed = [served(), idle()];
  const a = Array.from({ length: D.perClientInFlight }, () => gate.admit(1, '10.0.0.1', mixed, NOW));
  assert.ok(a.every((v) => v.serve));
  assert.equal(gate.admit(1, '10.0.0.1', mixed, NOW).serve, false, 'share used up');
  assert.equal(gate.admit(2, '10.0.0.1', mixed, NOW).serve, true, 'another item has its own share');
  a[0]!.release();
  a[0]!.release(); // twice counts once
  assert.equal(gate.inFlightTo(1, '10.0.0.1'), D.perClientInFlight - 1);
  for (const v of a) v.release();
  assert.equal(gate.inFlightTo(1, '10.0.0.1'), 0);

  const all = [served()];
  const t = gate.admit(1, '10.0.0.2', all, NOW);
  assert.equal(t.serve && t.trickle, true);
  t.release();
  assert.equal(gate.admit(1, '10.0.0.2', all, NOW + 1).serve, false);
  assert.equal(gate.admit(1, '10.0.0.2', all, NOW + D.trickleMs).serve, true);
});
