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

/** A request of one block (the addresses below have peers: no first look). */
const at = (now: number) => ({ now, length: 16384 });
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
    const v = webSeedVerdict({ peers, inFlight: 50, lastTrickleAt: NOW, length: 16384, firstLook: 0 }, NOW);
    assert.equal(v.serve, true, JSON.stringify(peers));
  }
});

test('a shared address with unserved peers gets their share of responses in flight', () => {
  const peers = [served(), served(), idle()];
  const share = D.perClientInFlight;
  assert.equal(
    webSeedVerdict({ peers, inFlight: share - 1, lastTrickleAt: NOW, length: 16384, firstLook: 0 }, NOW)
      .serve,
    true,
  );
  const busy = webSeedVerdict(
    { peers, inFlight: share, lastTrickleAt: NOW, length: 16384, firstLook: 0 },
    NOW,
  );
  assert.deepEqual([busy.serve, !busy.serve && busy.retryAfter], [false, D.busyRetryAfter]);
  const two = [...peers, idle()];
  assert.equal(
    webSeedVerdict({ peers: two, inFlight: share, lastTrickleAt: NOW, length: 16384, firstLook: 0 }, NOW)
      .serve,
    true,
  );
});

test('an address whose peers are all served is deferred, but for one request per trickle period', () => {
  const peers = [served(), peer({ lastHaveAt: NOW - 100 }), peer({ seed: true })];
  const first = webSeedVerdict(
    { peers, inFlight: 0, lastTrickleAt: undefined, length: 16384, firstLook: 0 },
    NOW,
  );
  assert.deepEqual([first.serve, first.serve === true && first.trickle], [true, true]);
  const soon = webSeedVerdict(
    { peers, inFlight: 0, lastTrickleAt: NOW - D.trickleMs + 1, length: 16384, firstLook: 0 },
    NOW,
  );
  assert.deepEqual([soon.serve, !soon.serve && soon.retryAfter], [false, D.retryAfter]);
  const busy = webSeedVerdict(
    { peers, inFlight: 1, lastTrickleAt: undefined, length: 16384, firstLook: 0 },
    NOW,
  );
  assert.equal(busy.serve, false, 'not while a response is in flight');
});

test('the gate counts responses in flight per item and address, and the trickle per address', () => {
  const gate = new WebSeedGate();
  const mixed = [served(), idle()];
  const a = Array.from({ length: D.perClientInFlight }, () => gate.admit(1, '10.0.0.1', mixed, at(NOW)));
  assert.ok(a.every((v) => v.serve));
  assert.equal(gate.admit(1, '10.0.0.1', mixed, at(NOW)).serve, false, 'share used up');
  assert.equal(gate.admit(2, '10.0.0.1', mixed, at(NOW)).serve, true, 'another item has its own share');
  a[0]!.release();
  a[0]!.release(); // twice counts once
  assert.equal(gate.inFlightTo(1, '10.0.0.1'), D.perClientInFlight - 1);
  for (const v of a) v.release();
  assert.equal(gate.inFlightTo(1, '10.0.0.1'), 0);

  const all = [served()];
  const t = gate.admit(1, '10.0.0.2', all, at(NOW));
  assert.equal(t.serve === true && t.trickle, true);
  t.release();
  assert.equal(gate.admit(1, '10.0.0.2', all, at(NOW + 1)).serve, false);
  assert.equal(gate.admit(1, '10.0.0.2', all, at(NOW + D.trickleMs)).serve, true);
});

test('a request from an address with no peer connection, the first in a while, waits a moment first', () => {
  const gate = new WebSeedGate();
  const first = gate.admit(1, '10.0.0.3', [], { now: NOW, length: 1 << 30 });
  assert.deepEqual([first.serve, first.serve === 'wait' && first.waitMs], ['wait', D.firstLookMs]);
  const again = gate.admit(1, '10.0.0.3', [], { now: NOW + D.firstLookMs, length: 1 << 30, waited: true });
  assert.equal(again.serve, true, 'still nobody there: a client the site cannot see is served');
  again.release();
  const next = gate.admit(1, '10.0.0.3', [], { now: NOW + 5000, length: 1 << 30 });
  assert.equal(next.serve, true, 'seen lately: no second wait');
  next.release();
  gate.admit(1, '10.0.0.5', [], { now: NOW, length: 16384 });
  const neighbour = gate.admit(1, '10.0.0.5', [], { now: NOW + 1000, length: 16384 });
  assert.deepEqual(
    [neighbour.serve, neighbour.serve === 'wait' && neighbour.waitMs],
    ['wait', D.firstLookMs - 1000],
    'a second client at the address during the first look waits with the first',
  );
  const seedOnly = gate.admit(1, '10.0.0.6', [peer({ seed: true })], { now: NOW, length: 16384 });
  assert.equal(seedOnly.serve, 'wait', 'a seed at the address is not the one asking');
  const withPeer = gate.admit(1, '10.0.0.4', [served()], { now: NOW, length: 16384 });
  assert.notEqual(withPeer.serve, 'wait', 'an address with a peer connection is decided at once');
});

test('the trickle is not for a request held for the first look (its client just connected)', () => {
  const load = { peers: [served()], inFlight: 0, lastTrickleAt: undefined, length: 16384, firstLook: 0 };
  assert.equal(webSeedVerdict({ ...load, held: true }, NOW).serve, false);
  assert.equal(webSeedVerdict(load, NOW).serve, true);
});

test('the trickle never lets a large range through', () => {
  const peers = [served()];
  const big = webSeedVerdict(
    { peers, inFlight: 0, lastTrickleAt: undefined, length: D.trickleMaxBytes + 1, firstLook: 0 },
    NOW,
  );
  assert.equal(big.serve, false);
});
