import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { buildOpml, parseOpml, type Subscription } from './opml.js';

const SAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<!-- exported by a podcast app -->
<opml version="1.0">
  <head><title>My  shows</title></head>
  <body>
    <outline text="Open Airwaves" type="rss" xmlUrl="https://pod.example/feed.xml" htmlUrl="https://pod.example/"/>
    <outline text="Film">
      <outline title="Seedcast &amp; friends" text="ignored when title is there" xmlurl="https://seedcast.example/feeds/items.rss?enclosure=torrent"/>
      <outline text="Nested category">
        <outline text="Deep" xmlUrl="https://deep.example/rss"/>
      </outline>
    </outline>
    <outline text="Repeated" xmlUrl="https://pod.example/feed.xml"/>
    <outline text="Not http" xmlUrl="ftp://old.example/feed"/>
    <outline text="Just a note"/>
  </body>
</opml>`;

describe('OPML', () => {
  it('reads subscriptions at any depth with their category, once each', () => {
    assert.deepEqual(parseOpml(SAMPLE), {
      title: 'My shows',
      subscriptions: [
        { url: 'https://pod.example/feed.xml', title: 'Open Airwaves', htmlUrl: 'https://pod.example/' },
        {
          url: 'https://seedcast.example/feeds/items.rss?enclosure=torrent',
          title: 'Seedcast & friends',
          category: 'Film',
        },
        { url: 'https://deep.example/rss', title: 'Deep', category: 'Nested category' },
      ],
    });
  });

  it('writes what it reads back (round trip, with escaping and categories)', () => {
    const subs: Subscription[] = [
      { url: 'https://a.example/feed?x=1&y=2', title: 'A <b>&</b> "quotes"', htmlUrl: 'https://a.example/' },
      { url: 'https://b.example/rss', category: 'Music & talk' },
      { url: 'https://c.example/rss', title: 'C', category: 'Music & talk' },
    ];
    const xml = buildOpml(subs, { title: 'Mine', date: new Date('2025-01-02T03:04:05Z') });
    assert.match(xml, /<dateCreated>Thu, 02 Jan 2025 03:04:05 GMT<\/dateCreated>/);
    const back = parseOpml(xml);
    assert.equal(back.title, 'Mine');
    assert.deepEqual(back.subscriptions, [
      subs[0],
      { url: 'https://b.example/rss', title: 'https://b.example/rss', category: 'Music & talk' },
      subs[2],
    ]);
  });

  it('has the same limits as feeds', () => {
    const bomb = '<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body><outline text="&a;"/></body></opml>';
    assert.throws(
      () => parseOpml(bomb),
      (e) => isSeedcastError(e, 'FEED_UNSAFE'),
    );
    assert.throws(
      () => parseOpml(SAMPLE, { maxBytes: 100 }),
      (e) => isSeedcastError(e, 'FEED_TOO_LARGE'),
    );
    const deep = `<opml><body>${'<outline text="x">'.repeat(200)}${'</outline>'.repeat(200)}</body></opml>`;
    assert.throws(
      () => parseOpml(deep),
      (e) => isSeedcastError(e, 'FEED_TOO_LARGE'),
    );
  });

  it('refuses what is not OPML', () => {
    for (const doc of ['{"a":1}', '<rss/>', '<opml><body>']) {
      assert.throws(
        () => parseOpml(doc),
        (e) => isSeedcastError(e, 'FEED_INVALID'),
        doc,
      );
    }
  });
});
