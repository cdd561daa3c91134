/**
 * OPML subscription lists (src/feeds/opml.ts, over the same XML reader as the feeds). Contract: an
 * Opml whose subscriptions have URLs, or a SeedcastError. Property: building an OPML document from
 * what was read and reading it again gives the same feed URLs.
 */

import assert from 'node:assert/strict';
import { buildOpml, parseOpml } from '../../src/feeds/index.js';
import type { FuzzTarget } from '../engine/target.js';

export const target: FuzzTarget = {
  description: 'parseOpml, build/parse round trip',
  cover: ['/src/feeds/opml', '/src/feeds/xml', '/src/feeds/entities', '/src/feeds/decode'],
  maxLen: 8192,
  dictionary: [
    '<?xml version="1.0"?>',
    '<opml version="2.0">',
    '</opml>',
    '<head>',
    '</head>',
    '<body>',
    '</body>',
    '<title>',
    '</title>',
    '<outline ',
    '</outline>',
    '/>',
    '>',
    'text="',
    'title="',
    'type="rss" ',
    'xmlUrl="',
    'xmlurl="',
    'htmlUrl="',
    '"',
    "'",
    '&amp;',
    '&quot;',
    '&#10;',
    '&#xD800;',
    'https://a.example/feed',
    '<![CDATA[',
  ],
  make: () => (data) => {
    const opml = parseOpml(data, { maxDepth: 32 });
    for (const s of opml.subscriptions)
      assert.ok(typeof s.url === 'string' && s.url.length > 0, 'subscription URL');
    const again = parseOpml(
      buildOpml(opml.subscriptions, opml.title === undefined ? {} : { title: opml.title }),
    );
    // buildOpml groups by category, so compare the URLs as sets of lines, not in order.
    const urls = (o: typeof opml) => o.subscriptions.map((s) => s.url).sort();
    assert.deepEqual(urls(again), urls(opml), 'build/parse changes the URLs');
  },
};
