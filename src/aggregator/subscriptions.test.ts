import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { emptyState } from './state.js';
import { exportOpml, importOpml, setFeedOptions, subscribe, unsubscribe } from './subscriptions.js';

describe('subscriptions', () => {
  it('subscribing twice keeps one feed and updates its options', () => {
    const state = emptyState();
    assert.equal(subscribe(state, 'http://example.com/feed.xml#top').added, true);
    const again = subscribe(state, 'http://EXAMPLE.com/feed.xml', { keepLast: 4 });
    assert.equal(again.added, false);
    assert.equal(state.feeds.length, 1);
    assert.equal(state.feeds[0]!.options.keepLast, 4);
    assert.equal(state.feeds[0]!.options.recent, 3);
  });

  it('only http(s) URLs are accepted', () => {
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'not a url'])
      assert.throws(
        () => subscribe(emptyState(), bad),
        (e) => isSeedcastError(e, 'USAGE'),
      );
  });

  it('unsubscribing drops the feed and its queued downloads', () => {
    const state = emptyState();
    subscribe(state, 'http://a/feed');
    state.downloads.push({
      id: '1',
      feed: 'http://a/feed',
      guid: 'g',
      title: 't',
      base: '/tmp/x/t',
      status: 'queued',
      attempts: 0,
      queuedAt: '',
    });
    assert.equal(unsubscribe(state, 'http://a/feed'), true);
    assert.equal(unsubscribe(state, 'http://a/feed'), false);
    assert.equal(state.feeds.length, 0);
    assert.equal(state.downloads[0]!.status, 'failed');
  });

  it('OPML export then import gives the same subscriptions', () => {
    const state = emptyState();
    subscribe(state, 'http://a/feed', { title: 'A & B' });
    subscribe(state, 'https://b/rss', { category: 'News' });
    const copy = emptyState();
    assert.equal(importOpml(copy, exportOpml(state), { recent: 1 }), 2);
    assert.deepEqual(
      copy.feeds.map((f) => [f.url, f.title, f.category, f.options.recent]),
      [
        ['http://a/feed', 'A & B', undefined, 1],
        ['https://b/rss', undefined, 'News', 1],
      ],
    );
    assert.equal(importOpml(copy, exportOpml(state)), 0);
  });

  it('setFeedOptions changes a subscribed feed only, never subscribes', () => {
    const state = emptyState();
    subscribe(state, 'http://example.com/a.xml');
    setFeedOptions(state, 'http://example.com/a.xml', { httpFallback: false, keepLast: undefined });
    assert.deepEqual(state.feeds[0]!.options, {
      recent: 3,
      autoDownload: true,
      keepLast: 0,
      httpFallback: false,
    });
    assert.throws(
      () => setFeedOptions(state, 'http://example.com/gone.xml', { keepLast: 1 }),
      (err) => isSeedcastError(err, 'AGGREGATOR_NO_FEED'),
    );
    assert.equal(state.feeds.length, 1);
  });
});
