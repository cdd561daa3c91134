import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHtmlEntities } from './entities.js';
import { htmlToText } from './text.js';

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
});
