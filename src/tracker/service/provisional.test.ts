import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../../errors.js';
import { id20, v4 } from '../stores/store-contract.js';
import { allowSet } from './allow-list.js';
import { ProvisionalHashes } from './provisional.js';
import { TrackerService } from './service.js';
import type { AnnounceRequest } from './types.js';

function announce(over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return {
    infoHash: Buffer.alloc(20, 1),
    peerId: id20('p'),
    ip: v4('10.0.0.1'),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 0,
    event: 'started',
    numwant: -1,
    key: 0,
    wantPeerIds: false,
    transport: 'http',
    ...over,
  };
}

const hash = (n: number) => Buffer.alloc(20, n);

describe('grace window (provisional info hashes)', () => {
  test('a window opens on announce, is extended by the next one and lapses ttl seconds after the last', () => {
    const p = new ProvisionalHashes({ ttl: 100 });
    const ip = v4('10.0.0.1');
    assert.equal(p.admit(hash(1), ip, 1000), undefined);
    assert.equal(p.has(hash(1), 1099), true);
    assert.equal(p.admit(hash(1), ip, 1050), undefined, 'announced again');
    assert.equal(p.has(hash(1), 1149), true, 'extended to 1150');
    assert.equal(p.has(hash(1), 1150), false, 'lapsed');
    assert.equal(p.admit(hash(2), ip, 1200), undefined);
    assert.equal(p.size, 1, 'the lapsed window was pruned');
  });

  test('bounds: hashes in all, hashes opened per address (an IPv6 /64), announces per address per minute', () => {
    const p = new ProvisionalHashes({ maxHashes: 3, perAddress: 2, announcesPerMinute: 5 });
    const a = v4('10.0.0.1');
    assert.equal(p.admit(hash(1), a, 0), undefined);
    assert.equal(p.admit(hash(2), a, 0), undefined);
    assert.equal(p.admit(hash(3), a, 0), 'address-limit');
    assert.equal(p.admit(hash(1), a, 1), undefined, 'an open window may be announced to');
    assert.equal(p.admit(hash(3), v4('10.0.0.2'), 1), undefined);
    assert.equal(p.admit(hash(4), v4('10.0.0.3'), 1), 'full');
    assert.equal(p.admit(hash(1), a, 2), undefined);
    assert.equal(p.admit(hash(1), a, 3), 'rate-limit', 'a sixth refused: at most 5 a minute');
    assert.equal(p.admit(hash(1), a, 61), undefined, 'a new minute');
    const v6a = Buffer.from('20010db8000000010000000000000001', 'hex');
    const v6b = Buffer.from('20010db80000000100000000000000ff', 'hex');
    const q = new ProvisionalHashes({ perAddress: 1 });
    assert.equal(q.admit(hash(1), v6a, 0), undefined);
    assert.equal(q.admit(hash(2), v6b, 0), 'address-limit', 'the same /64');
    q.forget(hash(1));
    assert.equal(q.admit(hash(2), v6b, 0), undefined, 'forgetting frees the address');
  });

  test('a stopped announce opens no window', () => {
    const p = new ProvisionalHashes();
    assert.equal(p.admit(hash(1), v4('10.0.0.1'), 0, false), 'full');
    assert.equal(p.size, 0);
  });

  test('the service tracks a hash not yet allowed: stored, answered with no peers and the short interval', async () => {
    let now = 1000;
    const allow = allowSet(new Set());
    const service = new TrackerService({
      allow,
      grace: { ttl: 300, interval: 45, minInterval: 20 },
      clock: () => now,
    });
    const publisher = service.announce(announce({ peerId: id20('publisher'), ip: v4('10.0.0.1') }));
    assert.ok(!(publisher instanceof Promise), 'answered at once (memory store, allow set)');
    assert.deepEqual([publisher.interval, publisher.minInterval], [45, 20]);
    assert.match(
      publisher.warning ?? '',
      /not published here yet/,
      'HTTP answers say why there are no peers',
    );
    const other = await service.announce(announce({ peerId: id20('other'), ip: v4('10.0.0.2'), left: 5 }));
    assert.equal(other.peers.v4.length, 0, 'no peers for a provisional hash');
    assert.deepEqual([other.complete, other.incomplete], [1, 1], 'both are stored');
    const scraped = await service.scrape({ infoHashes: [hash(1)], transport: 'http' });
    assert.equal(scraped.files[0]!.counts.complete, 1, 'a provisional hash may be scraped');
    assert.equal(service.metrics.provisionalAnnounces, 2);

    // Published: the publisher stored during the window is in the answer to the site's announce.
    allow.update(new Set([hash(1).toString('hex')]));
    const site = await service.announce(announce({ peerId: id20('site'), ip: v4('10.0.0.3'), left: 5 }));
    assert.equal(site.interval, 1800, 'the usual interval once allowed');
    assert.equal(site.warning, undefined);
    assert.equal(site.peers.v4.length, 12, 'the publisher and the other peer');

    // An unknown hash after its window lapsed, with no new announce, is refused.
    allow.update(new Set());
    now += 301;
    await assert.rejects(service.scrape({ infoHashes: [hash(1)], transport: 'udp' }), (e) =>
      isSeedcastError(e, 'TRACKER_NOT_ALLOWED'),
    );
  });

  test('past the bounds, or without a grace window, an unknown hash is refused as before', async () => {
    const service = new TrackerService({ allow: allowSet(new Set()), grace: { perAddress: 1 } });
    service.announce(announce({ infoHash: hash(1) }));
    assert.throws(
      () => service.announce(announce({ infoHash: hash(2) })),
      (e) => isSeedcastError(e, 'TRACKER_NOT_ALLOWED') && /grace: address-limit/.test(e.message),
    );
    const strict = new TrackerService({ allow: allowSet(new Set()) });
    assert.throws(
      () => strict.announce(announce()),
      (e) => isSeedcastError(e, 'TRACKER_NOT_ALLOWED'),
    );
    const asyncAllow = new TrackerService({ allow: async () => false, grace: {} });
    const res = await asyncAllow.announce(announce());
    assert.equal(res.interval, 60, 'an asynchronous allow check gets the grace window too');
  });
});
