import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHtmlEntities, decodeXmlEntities } from './entities.js';

describe('character references', () => {
  it('decodes the predefined entities and numeric references', () => {
    assert.equal(decodeXmlEntities('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;'), 'a <b> & "c" \'d\'');
    assert.equal(decodeXmlEntities('&#233;&#xE9;&#XE9;&#x1F600;'), 'ééé😀');
  });
  it('keeps what is not a reference as written', () => {
    for (const s of [
      '&amp',
      '& amp;',
      '&#;',
      '&#x;',
      '&#xZZ;',
      '&#12a;',
      '&;',
      'a & b',
      '&constructor;',
      '&toString;',
    ]) {
      assert.equal(decodeXmlEntities(s), s, s);
    }
    assert.equal(decodeXmlEntities('&&amp;'), '&&');
    assert.equal(decodeXmlEntities('&nbsp;'), '&nbsp;', 'XML knows no HTML names');
  });
  it('replaces references to invalid code points', () => {
    assert.equal(decodeXmlEntities('&#0;&#xD800;&#x110000;'), '\uFFFD\uFFFD\uFFFD');
  });
  it('decodes HTML names for text that came as HTML', () => {
    assert.equal(decodeHtmlEntities('&nbsp;&copy;&mdash;&hellip;&bogus;'), '\u00a0©—…&bogus;');
  });
  it('stays linear on hostile input', () => {
    const t0 = performance.now();
    decodeXmlEntities(`${'&'.repeat(1_000_000)};`);
    decodeXmlEntities(`&${'a'.repeat(1_000_000)};`);
    decodeHtmlEntities('&#1'.repeat(300_000));
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
  });
});
