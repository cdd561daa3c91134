/**
 * The feed parsers (src/feeds): RSS 0.9x/2.0, RSS 1.0 (RDF), Atom and JSON Feed through `parseFeed`
 * (which sniffs the format and the encoding), with the XML reader, entities, dates, durations,
 * enclosures and URL resolution under it. Contract: a Feed whose items have the documented shape
 * (absolute http(s) or magnet URLs, ISO dates, non-negative numbers), or a SeedcastError.
 */

import assert from 'node:assert/strict';
import { parseFeed } from '../../src/feeds/index.js';
import type { FuzzTarget } from '../engine/target.js';

const ISO = /^\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$|^[+-]\d{6}-\d\d-\d\dT/;

export const FEED_TOKENS = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<?xml version="1.0" encoding="iso-8859-1"?>',
  '\ufeff',
  '<rss version="2.0">',
  '</rss>',
  '<channel>',
  '</channel>',
  '<item>',
  '</item>',
  '<title>',
  '</title>',
  '<link>',
  '</link>',
  '<guid isPermaLink="false">',
  '</guid>',
  '<enclosure url="',
  '" length="',
  '" type="',
  '"/>',
  '<pubDate>',
  '</pubDate>',
  'Mon, 06 Dec 2026 11:00:00 GMT',
  '<itunes:duration>',
  '</itunes:duration>',
  '1:02:03',
  '<feed xmlns="http://www.w3.org/2005/Atom">',
  '</feed>',
  '<entry>',
  '</entry>',
  '<link rel="enclosure" href="',
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">',
  '<media:content url="',
  '<podcast:alternateEnclosure',
  '<podcast:source uri="',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<!DOCTYPE rss>',
  '<!ENTITY',
  '&amp;',
  '&lt;',
  '&#x1F600;',
  '&#0;',
  '&#xD800;',
  '&#99999999;',
  '&nbsp;',
  '&',
  'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"',
  'magnet:?xt=urn:btih:',
  'http://',
  'https://',
  '//',
  '{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[',
  ']}',
  '"attachments":[{"url":"',
  '"size_in_bytes":',
  '"duration_in_seconds":',
  '"date_published":"',
  '"id":',
  '"url":"',
  '{',
  '}',
  '[',
  ']',
  ',',
];

export const target: FuzzTarget = {
  description: 'parseFeed (RSS, RDF, Atom, JSON Feed) and everything under it',
  cover: ['/src/feeds/'],
  maxLen: 16384,
  dictionary: FEED_TOKENS,
  make: () => (data) => {
    const feed = parseFeed(data, { url: 'https://feeds.example/show/feed.xml', maxDepth: 32 });
    assert.equal(typeof feed.title, 'string');
    assert.ok(Array.isArray(feed.items));
    for (const n of [feed.ttl, feed.updateInterval]) {
      if (n !== undefined) assert.ok(Number.isFinite(n) && n >= 0, `number ${n}`);
    }
    const guids = new Set<string>();
    for (const item of feed.items) {
      assert.equal(typeof item.guid, 'string');
      assert.ok(item.guid.length > 0, 'empty guid');
      assert.ok(!guids.has(item.guid), `guid ${item.guid} twice`);
      guids.add(item.guid);
      assert.equal(typeof item.title, 'string');
      for (const d of [item.published, item.updated]) if (d !== undefined) assert.match(d, ISO);
      if (item.duration !== undefined) assert.ok(Number.isFinite(item.duration) && item.duration >= 0);
      for (const e of item.enclosures) {
        assert.match(e.url, /^(https?:\/\/|magnet:)/i, `enclosure url ${e.url}`);
        if (e.length !== undefined)
          assert.ok(Number.isSafeInteger(e.length) && e.length >= 0, `length ${e.length}`);
      }
    }
  },
};
