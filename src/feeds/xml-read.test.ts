import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { attr, child, children, parseXml, textOf, type XmlElement } from './xml-read.js';

const URL_ = 'https://example.com/feeds/a.xml';

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

describe('xml reader', () => {
  it('refuses a billion-laughs DOCTYPE quickly and without growing memory', () => {
    const lol = ['<!ENTITY lol "lol">'];
    for (let k = 1; k <= 9; k++)
      lol.push(`<!ENTITY lol${k} "${`&lol${k - 1};`.repeat(10).replace(/&lol0;/g, '&lol;')}">`);
    const doc = `<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]><rss><channel><title>&lol9;</title></channel></rss>`;
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    assert.throws(
      () => parseXml(doc, { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_UNSAFE'),
    );
    assert.ok(performance.now() - t0 < 200, 'refused at once');
    assert.ok(process.memoryUsage().heapUsed - before < 20 * 1024 * 1024, 'no expansion in memory');
  });

  it('refuses an external entity (XXE) and never reads the file', () => {
    const doc =
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><title>&xxe;</title></channel></rss>';
    assert.throws(
      () => parseXml(doc, { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_UNSAFE') && !/root:/.test((e as Error).message),
    );
  });

  it('refuses parameter entities too', () => {
    const doc = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><x/>';
    assert.throws(
      () => parseXml(doc, { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_UNSAFE'),
    );
  });

  it('skips a DOCTYPE without an internal subset and keeps undeclared entity references as written', () => {
    const doc =
      '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss><t>a&lol9;b&amp;c&#233;&#x20AC;</t></rss>';
    const root = parseXml(doc, { url: URL_ });
    assert.equal(textOf(child(root, ['', 't'])!), 'a&lol9;b&cé€');
  });

  it('bounds nesting depth', () => {
    const deep = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    assert.doesNotThrow(() => parseXml(deep(64), { url: URL_ }));
    assert.throws(
      () => parseXml(deep(65), { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_TOO_LARGE'),
    );
    assert.throws(
      () => parseXml(deep(100_000), { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_TOO_LARGE'),
    );
  });

  it('stays linear on hostile tags and text', () => {
    const t0 = performance.now();
    const junk = `<rss a${'b'.repeat(2_000_000)}="1" ${'c '.repeat(500_000)}>${'&amp'.repeat(500_000)}</rss>`;
    const root = parseXml(junk, { url: URL_ });
    assert.equal(root.attrs.length, 1);
    assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
  });

  it('resolves names by namespace URI, whatever the prefix, and falls back for undeclared well-known prefixes', () => {
    const root = parseXml(
      '<rss xmlns:m="http://search.yahoo.com/mrss/"><m:content url="a"/><itunes:duration>5</itunes:duration><zz:x/></rss>',
      { url: URL_ },
    );
    const [content, duration, unknown] = elements(root);
    assert.deepEqual([content!.ns, content!.local], ['http://search.yahoo.com/mrss/', 'content']);
    assert.equal(duration!.ns, 'http://www.itunes.com/dtds/podcast-1.0.dtd');
    assert.equal(unknown!.ns, 'urn:undeclared:zz');
    assert.equal(children(root, ['http://search.yahoo.com/mrss/', 'content']).length, 1);
  });

  it('applies the default namespace to elements but not to attributes', () => {
    const root = parseXml(
      '<feed xmlns="http://www.w3.org/2005/Atom"><link href="x" rel="enclosure"/></feed>',
      {
        url: URL_,
      },
    );
    const link = child(root, ['http://www.w3.org/2005/Atom', 'link'])!;
    assert.equal(attr(link, 'href'), 'x');
  });

  it('scopes xml:base, resolving nested relative bases', () => {
    const root = parseXml(
      '<feed xml:base="/shows/"><entry xml:base="ep1/"><link href="a.mp3"/></entry><x/></feed>',
      {
        url: URL_,
      },
    );
    const [entry, x] = elements(root);
    assert.equal(root.base, 'https://example.com/shows/');
    assert.equal(entry!.base, 'https://example.com/shows/ep1/');
    assert.equal(elements(entry!)[0]!.base, 'https://example.com/shows/ep1/');
    assert.equal(x!.base, 'https://example.com/shows/');
  });

  it('normalises literal line breaks in attribute values but keeps character references to them', () => {
    const root = parseXml('<a t="x\ny\tz&#10;w" u=\'&amp;&lt;\'/>', { url: URL_ });
    assert.deepEqual([attr(root, 't'), attr(root, 'u')], ['x y z\nw', '&<']);
  });

  it('keeps CDATA verbatim and skips comments and processing instructions', () => {
    const root = parseXml('<?xml version="1.0"?><!-- hi --><a><![CDATA[<b>&amp;</b>]]><?pi x?>z</a>', {
      url: URL_,
    });
    assert.equal(textOf(root), '<b>&amp;</b>z');
  });

  it('tolerates a stray ampersand, a stray "<" and an unclosed inner element', () => {
    const root = parseXml('<a><d>Q&A <p>one<br>two</p> 1 < 2 <3</d></a>', { url: URL_ });
    assert.equal(textOf(child(root, ['', 'd'])!), 'Q&A onetwo 1 < 2 <3');
  });

  it('reads a root end tag cut just before its ">" (and nothing else cut that way)', () => {
    assert.equal(parseXml('<rss><a>x</a></rss', { url: URL_ }).local, 'rss');
    assert.throws(
      () => parseXml('<rss><a>x</a', { url: URL_ }),
      (e) => isSeedcastError(e, 'FEED_INVALID'),
    );
  });

  it('ignores whatever follows the root element', () => {
    const root = parseXml('<rss><x/></rss>\n<b>PHP warning: & < junk', { url: URL_ });
    assert.deepEqual([root.local, root.children.length], ['rss', 1]);
    assert.equal(parseXml('<a/><b/>', { url: URL_ }).local, 'a');
  });

  it('reports truncated and broken documents as FEED_INVALID', () => {
    for (const doc of [
      '<rss><channel><item>',
      '<rss><a href="x></rss>',
      '',
      'text<rss/>',
      '</a>',
      '<a><![CDATA[x</a>',
    ]) {
      assert.throws(
        () => parseXml(doc, { url: URL_ }),
        (e) => isSeedcastError(e, 'FEED_INVALID'),
        JSON.stringify(doc),
      );
    }
  });
});
