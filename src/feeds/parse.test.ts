import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { parseFeed } from './parse.js';

const URL_ = 'https://big.example/feed.xml';

function rss(items: number, pad = 0): string {
  const parts = ['<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'];
  for (let i = 0; i < items; i++) {
    parts.push(
      `<item><title>Episode ${i}</title><guid isPermaLink="false">g${i}</guid>`,
      `<description>${'x'.repeat(pad)}</description>`,
      `<enclosure url="/e/${i}.mp3" length="${i + 1}" type="audio/mpeg"/></item>`,
    );
  }
  parts.push('</channel></rss>');
  return parts.join('');
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isSeedcastError(e) ? e.code : `not a SeedcastError: ${e}`;
  }
  return undefined;
}

describe('parseFeed limits and detection', () => {
  it('parses a large feed (generated, about 9 MiB, 20,000 items) within the default limit', () => {
    const doc = Buffer.from(rss(20_000, 320));
    assert.ok(doc.byteLength > 8 * 1024 * 1024 && doc.byteLength < 10 * 1024 * 1024, `${doc.byteLength}`);
    const t0 = performance.now();
    const feed = parseFeed(doc, { url: URL_ });
    assert.equal(feed.items.length, 20_000);
    assert.equal(feed.items[19_999]!.enclosures[0]!.url, 'https://big.example/e/19999.mp3');
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  });

  it('refuses a document over the limit before parsing it, as bytes or as text', () => {
    const doc = rss(30_000, 380);
    const bytes = Buffer.from(doc);
    const t0 = performance.now();
    assert.equal(
      code(() => parseFeed(bytes, { url: URL_ })),
      'FEED_TOO_LARGE',
    );
    assert.equal(
      code(() => parseFeed(doc, { url: URL_ })),
      'FEED_TOO_LARGE',
    );
    assert.ok(performance.now() - t0 < 50, `no parsing happened (${performance.now() - t0} ms)`);
    assert.equal(
      code(() => parseFeed(rss(3), { url: URL_, maxBytes: 100 })),
      'FEED_TOO_LARGE',
    );
    assert.equal(
      code(() => parseFeed('é'.repeat(60), { url: URL_, maxBytes: 100 })),
      'FEED_TOO_LARGE',
    );
  });

  it('says why a document is not a feed, in one line', () => {
    const bad: Array<[string, string, RegExp]> = [
      ['', 'FEED_INVALID', /empty/],
      ['   \n', 'FEED_INVALID', /empty/],
      ['Hello, world', 'FEED_INVALID', /neither XML nor JSON/],
      ['{"version": "https://jsonfeed.org/version/1.1", "items": [', 'FEED_INVALID', /not valid JSON/],
      ['[1, 2, 3]', 'FEED_INVALID', /not a JSON Feed/],
      [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'FEED_INVALID', /not a JSON Feed/],
      [
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        'FEED_INVALID',
        /root element <svg>/,
      ],
      ['<html><body>hi</body></html>', 'FEED_INVALID', /HTML page/],
      ['<!DOCTYPE html>\n<!-- x --><HTML lang=en><p>unquoted', 'FEED_INVALID', /HTML page/],
      [
        '<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><body>',
        'FEED_INVALID',
        /HTML page/,
      ],
      ['<rss version="2.0"><title>no channel</title></rss>', 'FEED_INVALID', /without a <channel>/],
      ['<?xml version="1.0" encoding="x-klingon"?><rss/>', 'FEED_INVALID', /encoding/],
    ];
    for (const [doc, want, re] of bad) {
      const input = doc.includes('klingon') ? Buffer.from(doc) : doc;
      assert.throws(
        () => parseFeed(input, { url: URL_ }),
        (e) => isSeedcastError(e) && e.code === want && re.test(e.message) && !e.message.includes('\n'),
        doc.slice(0, 40),
      );
    }
  });

  it('decodes UTF-16 with a byte-order mark', () => {
    const text =
      '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Ωmega</title></channel></rss>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.equal(parseFeed(le, { url: URL_ }).title, 'Ωmega');
    const be = Buffer.from(le);
    be.swap16();
    assert.equal(parseFeed(be, { url: URL_ }).title, 'Ωmega');
  });

  it('reads Atom without a namespace and RSS items placed beside the channel', () => {
    const atom = parseFeed('<feed><title>Bare</title><entry><id>1</id><title>t</title></entry></feed>', {
      url: URL_,
    });
    assert.deepEqual([atom.format, atom.items.length], ['atom', 1]);
    const loose = parseFeed('<rss><channel><title>L</title></channel><item><guid>a</guid></item></rss>', {
      url: URL_,
    });
    assert.deepEqual(
      loose.items.map((i) => i.guid),
      ['a'],
    );
  });

  it('matches podcast and Media RSS elements by namespace URI, not by prefix', () => {
    const doc = `<rss version="2.0" xmlns:media="urn:not-media-rss" xmlns:m="http://search.yahoo.com/mrss/"><channel><title>N</title>
      <item><guid>1</guid><media:content url="https://x.example/fake.torrent"/><m:content url="https://x.example/real.torrent"/></item>
      </channel></rss>`;
    const [item] = parseFeed(doc, { url: URL_ }).items;
    assert.deepEqual(
      item!.enclosures.map((e) => e.url),
      ['https://x.example/real.torrent'],
    );
  });

  it('keeps only enclosures it can fetch', () => {
    const doc = `<rss><channel><title>K</title><item><guid>1</guid>
      <enclosure url="ftp://x.example/a.mp3"/><enclosure url="javascript:alert(1)"/><enclosure url=""/>
      <enclosure url="data:audio/mpeg;base64,AAAA"/><enclosure url="https://x.example/ok.mp3" length="-1"/>
      </item></channel></rss>`;
    const [item] = parseFeed(doc, { url: URL_ }).items;
    assert.deepEqual(item!.enclosures, [
      { url: 'https://x.example/ok.mp3', kind: 'http', source: 'enclosure' },
    ]);
  });

  it('keeps links and images only when they are HTTP(S)', () => {
    const doc = `<rss><channel><title>J</title><link>javascript:alert(1)</link><image><url>data:image/png;base64,AA</url></image>
      <item><guid>1</guid><link>javascript:alert(2)</link><itunes:image href="javascript:x"/></item>
      <item><guid>2</guid><link>/ok</link></item></channel></rss>`;
    const feed = parseFeed(doc, { url: URL_ });
    assert.deepEqual(
      [feed.link, feed.image, feed.items[0]!.link, feed.items[0]!.image],
      [undefined, undefined, undefined, undefined],
    );
    assert.equal(feed.items[1]!.link, 'https://big.example/ok');
  });

  it('falls back to dc:date when pubDate cannot be read', () => {
    const doc = `<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>D</title>
      <item><guid>1</guid><pubDate>someday</pubDate><dc:date>2024-05-06T07:08:09Z</dc:date></item></channel></rss>`;
    assert.equal(parseFeed(doc, { url: URL_ }).items[0]!.published, '2024-05-06T07:08:09.000Z');
  });

  it('reads a feed that carries an (X)HTML DOCTYPE', () => {
    const doc =
      '<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><rss><channel><title>found</title></channel></rss>';
    assert.equal(parseFeed(doc, { url: URL_ }).title, 'found');
  });

  it('falls back to dc:title, media:title and a channel <author>', () => {
    const doc = `<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel>
      <dc:title>DC title</dc:title><author>Chan Author</author>
      <item><guid>1</guid><media:group><media:title>Group title</media:title></media:group></item>
      <item><guid>2</guid><media:title>Item media title</media:title></item></channel></rss>`;
    const feed = parseFeed(doc, { url: URL_ });
    assert.deepEqual(
      [feed.title, feed.author, ...feed.items.map((i) => i.title)],
      ['DC title', 'Chan Author', 'Group title', 'Item media title'],
    );
  });
});
