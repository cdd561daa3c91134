import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHtmlEntities } from './entities.js';
import { collapseWhitespace, htmlToText } from './text.js';

describe('html to text', () => {
  it('strips tags, decodes entities and collapses whitespace', () => {
    assert.equal(
      htmlToText('  <b>Episode&nbsp;1</b>:\n the <i>start</i> &amp; &#8220;more&#x201D; '),
      'Episode 1: the start & “more”',
    );
  });
  it('turns block tags into spaces so words do not run together', () => {
    assert.equal(htmlToText('<p>one</p><p>two<br/>three</p>'), 'one two three');
  });
  it('drops declarations and processing instructions', () => {
    assert.equal(
      htmlToText('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"> Crazy <?php echo 1 ?>HTML'),
      'Crazy HTML',
    );
  });
  it('drops script and style bodies and comments', () => {
    assert.equal(htmlToText('a<script>alert("x")</script>b<style>p{}</style>c<!-- hidden -->d'), 'abcd');
  });
  it('keeps a lone "<" as text', () => {
    assert.equal(htmlToText('1 < 2 and 3 <4'), '1 < 2 and 3 <4');
  });
  it('is linear on hostile input', () => {
    const t0 = performance.now();
    htmlToText('<script'.repeat(200_000));
    htmlToText('<a "'.repeat(200_000));
    htmlToText('<!--'.repeat(200_000));
    assert.ok(performance.now() - t0 < 1000);
  });
  it('keeps unknown entities and replaces invalid code points', () => {
    assert.equal(decodeHtmlEntities('&bogus; &#0; &#xD800; &#65;'), '&bogus; \uFFFD \uFFFD A');
  });
  it('collapses whitespace exactly as the regular expression would, fast path or not', () => {
    const alphabet = [
      ' ',
      '  ',
      '\n',
      '\t',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '\u0085',
      'a',
      'é',
      'b c',
    ];
    let seed = 11;
    for (let k = 0; k < 20_000; k++) {
      let s = '';
      for (let n = (k % 7) + 1; n > 0; n--) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        s += alphabet[(seed >>> 16) % alphabet.length];
      }
      assert.equal(collapseWhitespace(s), s.replace(/[\s\u00a0]+/g, ' ').trim(), JSON.stringify(s));
    }
  });
});
