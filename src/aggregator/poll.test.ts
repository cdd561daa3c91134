import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssFeed, startPodcastHost } from '../../test/aggregator-fixtures.js';
import { backoffMinutes, isDue, pollFeed, pollInterval } from './poll.js';
import { emptyState } from './state.js';
import { subscribe } from './subscriptions.js';

function items(n: number) {
  return Array.from({ length: n }, (_, i) => ({ title: `Item ${i + 1}`, guid: `g${i + 1}` }));
}

describe('polling a feed', () => {
  it('the first poll takes the newest `recent` items by date, later polls every unseen one', async (t) => {
    const host = await startPodcastHost(t);
    const list = items(5).map((item, i) => ({
      ...item,
      pubDate: new Date(Date.UTC(2026, 0, 1 + ((i * 3) % 5))),
    }));
    host.set('/f.xml', { body: rssFeed('F', list) });
    const { feed } = subscribe(emptyState(), `${host.url}/f.xml`, { recent: 2 });
    const first = await pollFeed(feed);
    assert.ok(first.ok);
    // dates: g1 day1, g2 day4, g3 day2, g4 day5, g5 day3 -> newest are g4, g2
    assert.deepEqual(
      first.fresh.map((i) => i.guid),
      ['g4', 'g2'],
    );
    assert.equal(feed.title, 'F');
    host.set('/f.xml', { body: rssFeed('F', [{ title: 'New', guid: 'g6' }, ...list]) });
    const second = await pollFeed(feed);
    assert.ok(second.ok);
    assert.deepEqual(
      second.fresh.map((i) => i.guid),
      ['g6'],
    );
  });

  it('answers 304 to the validators it stored and keeps the schedule the feed asks for (ttl)', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/f.xml', { body: rssFeed('F', items(1), { ttl: 240 }), etag: true });
    const { feed } = subscribe(emptyState(), `${host.url}/f.xml`);
    const now = new Date('2026-01-01T00:00:00Z');
    assert.ok((await pollFeed(feed, { now })).ok);
    assert.equal(feed.intervalMinutes, 240);
    assert.equal(feed.nextPollAt, '2026-01-01T04:00:00.000Z');
    assert.equal(isDue(feed, new Date('2026-01-01T03:59:00Z')), false);
    assert.equal(isDue(feed, new Date('2026-01-01T04:00:00Z')), true);
    const again = await pollFeed(feed, { now });
    assert.deepEqual(again, { ok: true, changed: false, fresh: [], older: [] });
    assert.equal(host.log.at(-1)!.status, 304);
  });

  it('sy:updatePeriod sets the interval; failures back off exponentially and a success resets them', async (t) => {
    const host = await startPodcastHost(t);
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel rdf:about="x"><title>R</title><link>http://x/</link><description>d</description><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rdf:RDF>`;
    const { feed } = subscribe(emptyState(), `${host.url}/r.xml`);
    const now = new Date('2026-01-01T00:00:00Z');
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await pollFeed(feed, { now });
      assert.equal(r.ok, false);
      gaps.push((Date.parse(feed.nextPollAt!) - now.getTime()) / 60_000);
    }
    assert.deepEqual(gaps, [5, 10, 20, 40]);
    assert.match(feed.lastError!, /404/);
    host.set('/r.xml', { body: rdf });
    assert.ok((await pollFeed(feed, { now })).ok);
    assert.equal(feed.errors, 0);
    assert.equal(feed.lastError, undefined);
    assert.equal(pollInterval(feed), 720);
    assert.equal(backoffMinutes(30), 24 * 60);
  });
});
