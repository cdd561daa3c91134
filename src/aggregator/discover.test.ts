import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssFeed, startPodcastHost } from '../../test/aggregator-fixtures.js';
import { isSeedcastError } from '../errors.js';
import { discoverFeed, findFeedLinks } from './discover.js';

const PAGE = 'https://example.org/shows/one/page.html';

describe('findFeedLinks', () => {
  it('prefers RSS, then Atom, then JSON Feed, in document order', () => {
    const html = `<!doctype html><html><head>
      <link rel="alternate" type="application/feed+json" href="/f.json" title="JSON">
      <link rel="alternate" type="application/atom+xml" href="/f.atom">
      <link rel="alternate" type="application/rss+xml" href="/first.rss" title="First">
      <link rel="alternate" type="application/rss+xml" href="/second.rss">
      </head><body></body></html>`;
    assert.deepEqual(
      findFeedLinks(html, PAGE).map((l) => [l.kind, l.url, l.title]),
      [
        ['rss', 'https://example.org/first.rss', 'First'],
        ['rss', 'https://example.org/second.rss', undefined],
        ['atom', 'https://example.org/f.atom', undefined],
        ['json', 'https://example.org/f.json', 'JSON'],
      ],
    );
  });

  it('reads attributes in any order, any case, quoted or not, with character references', () => {
    const html = `<HEAD><LINK HREF=feed.xml?a=1&amp;b=2 TYPE='Application/RSS+XML; charset=utf-8' REL="Alternate Home"/></HEAD>`;
    assert.deepEqual(
      findFeedLinks(html, PAGE).map((l) => l.url),
      ['https://example.org/shows/one/feed.xml?a=1&b=2'],
    );
  });

  it('resolves against <base href> (the first one), itself relative to the page', () => {
    const html = `<head><base href="../feeds/"><base href="https://elsewhere.example/">
      <link rel=alternate type=application/atom+xml href=a.atom></head>`;
    assert.deepEqual(
      findFeedLinks(html, PAGE).map((l) => l.url),
      ['https://example.org/shows/feeds/a.atom'],
    );
  });

  it('ignores comments, scripts, the body, other rels and types, and non-http links', () => {
    const html = `<head>
      <!-- <link rel="alternate" type="application/rss+xml" href="/commented.rss"> -->
      <script>document.write('<link rel="alternate" type="application/rss+xml" href="/script.rss">')</script>
      <link rel="stylesheet" type="application/rss+xml" href="/style.rss">
      <link rel="alternate" type="text/html" href="/page.html">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href="">
      <meta content="a > b"><link title="x > y" rel="alternate" type="application/rss+xml" href="/ok.rss">
      </head><body><link rel="alternate" type="application/rss+xml" href="/body.rss"></body>`;
    assert.deepEqual(
      findFeedLinks(html, PAGE).map((l) => [l.url, l.title]),
      [['https://example.org/ok.rss', 'x > y']],
    );
  });

  it('finds nothing in a page without feed links (and survives unclosed tags)', () => {
    assert.deepEqual(findFeedLinks('<html><head><title>Hi</title></head><body>x</body></html>', PAGE), []);
    assert.deepEqual(
      findFeedLinks('<head><link rel="alternate" type="application/rss+xml" href="/x', PAGE),
      [],
    );
  });
});

describe('discoverFeed', () => {
  it('takes a feed URL as it is (with its title when its type does not say it is a feed)', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/f.xml', { body: rssFeed('Plain Show', []) });
    host.set('/typed.rss', { type: 'application/rss+xml; charset=utf-8', body: rssFeed('Typed', []) });
    assert.deepEqual(await discoverFeed(`${host.url}/f.xml#top`), {
      url: `${host.url}/f.xml`,
      via: 'feed',
      title: 'Plain Show',
    });
    assert.deepEqual(await discoverFeed(`  ${host.url}/typed.rss `), {
      url: `${host.url}/typed.rss`,
      via: 'feed',
    });
  });

  it('finds the feed of a web page, after redirects', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/old', { redirect: '/show/' });
    host.set('/show/', {
      type: 'text/html; charset=utf-8',
      body: `<!DOCTYPE html><html><head><title>Show</title>
        <link rel="alternate" type="application/atom+xml" href="feed.atom" title="Show (Atom)">
        <link rel="alternate" type="application/rss+xml" href="feed.rss" title="Show (RSS)"></head><body></body></html>`,
    });
    const found = await discoverFeed(`${host.url}/old`);
    assert.deepEqual(found, { url: `${host.url}/show/feed.rss`, via: 'page', linkTitle: 'Show (RSS)' });
  });

  it('says so clearly when a page links no feed, when the URL is not a feed, or cannot be read', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/page', { type: 'text/html', body: '<html><head><title>No feed</title></head></html>' });
    host.set('/junk', { type: 'application/octet-stream', body: 'GIF89a not a feed' });
    host.set('/broken.rss', { type: 'application/rss+xml', body: '<rss><channel><title>Unclosed' });
    await assert.rejects(discoverFeed(`${host.url}/page`), (err) =>
      isSeedcastError(err, 'AGGREGATOR_NO_FEED_LINK'),
    );
    await assert.rejects(discoverFeed(`${host.url}/junk`), (err) =>
      isSeedcastError(err, 'AGGREGATOR_NOT_A_FEED'),
    );
    await assert.rejects(
      discoverFeed(`${host.url}/missing`),
      (err) => isSeedcastError(err, 'AGGREGATOR_UNREACHABLE') && /HTTP 404/.test((err as Error).message),
    );
    await assert.rejects(discoverFeed('ftp://example.org/x'), (err) => isSeedcastError(err, 'USAGE'));
    // Served as a feed but unreadable: taken (the show will display the parse error).
    assert.equal((await discoverFeed(`${host.url}/broken.rss`)).via, 'feed');
  });

  it('gives up on a slow server after the timeout and on a body over the limit; a slow feed is taken at once', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/slow', { body: 'x'.repeat(100_000), bytesPerSecond: 10_000 });
    host.set('/big', { body: 'y'.repeat(5000) });
    host.set('/long-page', {
      type: 'text/html',
      body: `<html><head>${' '.repeat(5000)}<link rel="alternate" type="application/rss+xml" href="/f"></head></html>`,
    });
    host.set('/slow.rss', {
      type: 'application/rss+xml',
      body: rssFeed('Slow', []).padEnd(100_000),
      bytesPerSecond: 10_000,
    });
    await assert.rejects(
      discoverFeed(`${host.url}/slow`, { timeoutMs: 500 }),
      (err) =>
        isSeedcastError(err, 'AGGREGATOR_UNREACHABLE') && /timed out|abort/i.test((err as Error).message),
    );
    await assert.rejects(discoverFeed(`${host.url}/big`, { maxBytes: 1000 }), (err) =>
      isSeedcastError(err, 'AGGREGATOR_UNREACHABLE'),
    );
    // Only the page's first bytes are read: a head longer than the limit is cut there.
    await assert.rejects(discoverFeed(`${host.url}/long-page`, { maxBytes: 1000 }), (err) =>
      isSeedcastError(err, 'AGGREGATOR_NO_FEED_LINK'),
    );
    const started = Date.now();
    assert.deepEqual(await discoverFeed(`${host.url}/slow.rss`, { timeoutMs: 5000 }), {
      url: `${host.url}/slow.rss`,
      via: 'feed',
    });
    assert.ok(Date.now() - started < 3000);
  });
});
