import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type WsLink, WsSwarms } from './ws-swarms.js';

const link = (address = '1.2.3.4'): WsLink => ({ send: () => undefined, address, joined: new Set() });
const b = (c: string) => Buffer.from(c.repeat(20), 'latin1');

describe('the WebSocket relay registry', () => {
  test('counts seeders and leechers, and forgets a closed connection', () => {
    const s = new WsSwarms();
    const l1 = link();
    const l2 = link();
    s.join(b('h'), { peerId: b('a'), link: l1, seeder: true, completed: false, now: 1 });
    s.join(b('h'), { peerId: b('b'), link: l2, seeder: false, completed: false, now: 1 });
    assert.deepEqual(s.counts(b('h')), { complete: 1, incomplete: 1, downloaded: 0 });
    s.join(b('h'), { peerId: b('b'), link: l2, seeder: true, completed: true, now: 2 });
    assert.deepEqual(s.counts(b('h')), { complete: 2, incomplete: 0, downloaded: 1 });
    s.drop(l1);
    assert.deepEqual(s.counts(b('h')), { complete: 1, incomplete: 0, downloaded: 1 });
    assert.deepEqual(s.size(), { swarms: 1, peers: 1 });
    s.drop(l2);
    assert.equal(s.counts(b('h')), undefined);
  });

  test('pick never returns the sender and returns distinct peers', () => {
    const s = new WsSwarms();
    for (const c of 'abcdef')
      s.join(b('h'), { peerId: b(c), link: link(), seeder: false, completed: false, now: 1 });
    for (let i = 0; i < 50; i++) {
      const picked = s.pick(b('h'), b('a'), 10);
      assert.equal(picked.length, 5);
      assert.ok(picked.every((p) => !p.peerId.equals(b('a'))));
      assert.equal(new Set(picked.map((p) => p.peerId.toString('latin1'))).size, 5);
    }
  });

  test('pick in a large swarm: distinct, random, never the sender, after peers left', () => {
    const s = new WsSwarms();
    const id = (i: number) => Buffer.from(`peer${i}`.padEnd(20, '.'), 'latin1');
    for (let i = 0; i < 100; i++)
      s.join(b('h'), { peerId: id(i), link: link(), seeder: false, completed: false, now: 1 });
    for (let i = 0; i < 100; i += 2) s.leave(b('h'), id(i));
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      const picked = s.pick(b('h'), id(1), 5);
      assert.equal(picked.length, 5);
      const ids = picked.map((p) => p.peerId.toString('latin1'));
      assert.equal(new Set(ids).size, 5);
      for (const x of ids) {
        assert.notEqual(x, id(1).toString('latin1'));
        assert.equal(Number(/peer(\d+)/.exec(x)![1]) % 2, 1, 'only peers still there');
        seen.add(x);
      }
    }
    assert.equal(seen.size, 49, 'every other peer is picked some time');
  });

  test('bounds: peers per swarm, swarms per connection, a peer id held at another address', () => {
    const s = new WsSwarms({ maxPeersPerSwarm: 2, maxSwarmsPerConnection: 1 });
    const l = link();
    assert.equal(
      s.join(b('h'), { peerId: b('a'), link: l, seeder: false, completed: false, now: 1 }),
      undefined,
    );
    assert.equal(
      s.join(b('i'), { peerId: b('a'), link: l, seeder: false, completed: false, now: 1 }),
      'connection-full',
    );
    s.join(b('h'), { peerId: b('b'), link: link(), seeder: false, completed: false, now: 1 });
    assert.equal(
      s.join(b('h'), { peerId: b('c'), link: link(), seeder: false, completed: false, now: 1 }),
      'swarm-full',
    );
    assert.equal(
      s.join(b('h'), { peerId: b('a'), link: link('5.6.7.8'), seeder: false, completed: false, now: 1 }),
      'peer-id-taken',
    );
    assert.equal(s.sweep(2), 2, 'peers not seen since are swept');
    assert.deepEqual(s.size(), { swarms: 0, peers: 0 });
  });
});
