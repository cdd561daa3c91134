/**
 * The feed XML writer: user text can never become markup, attributes are quoted safely, characters
 * XML 1.0 forbids are dropped, and the output reads back exactly through the project's XML reader.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podcastGuid } from './write-rss.js';
import { parseXml } from './xml-read.js';
import { el, escapeAttr, escapeText, renderXml } from './xml-write.js';

test('text and attributes are escaped; ]]> cannot close anything', () => {
  assert.equal(escapeText('a < b && c > d ]]>'), 'a &lt; b &amp;&amp; c &gt; d ]]&gt;');
  assert.equal(escapeAttr('say "hi"\n\t<x>'), 'say &quot;hi&quot;&#10;&#9;&lt;x&gt;');
});

test('forbidden characters are dropped, astral ones kept', () => {
  assert.equal(escapeText('a\u0000b\u0008c\u001fd\ufffee\ud800f\u{1f600}\t\n'), 'abcdef\u{1f600}\t\n');
});

test('a document round-trips hostile text through the reader exactly', () => {
  const hostile = '</title><script>alert(1)</script> & ]]> "q" \'s\r\nline';
  const doc = renderXml(
    el(
      'rss',
      { version: '2.0', note: hostile, absent: undefined },
      el('title', {}, hostile),
      el('empty'),
      null,
      false,
    ),
  );
  assert.ok(!doc.includes('<script'));
  assert.ok(!doc.includes('absent='));
  assert.ok(doc.includes('<empty/>'));
  const root = parseXml(doc, { url: 'http://x.test/' });
  assert.equal(root.local, 'rss');
  assert.equal(root.attrs.find((a) => a.local === 'note')!.value, hostile);
  const title = root.children.find((c) => typeof c !== 'string' && c.local === 'title');
  assert.ok(title && typeof title !== 'string');
  assert.equal(title.children.join(''), hostile);
});

test('the podcast namespace guid is the UUIDv5 of the feed URL without its scheme', () => {
  // The example from the podcast namespace's documentation.
  assert.equal(
    podcastGuid('https://mp3s.nashownotes.com/pc20rss.xml'),
    '917393e3-1b1e-5cef-ace4-edaa54e1f810',
  );
  assert.equal(
    podcastGuid('http://mp3s.nashownotes.com/pc20rss.xml/'),
    '917393e3-1b1e-5cef-ace4-edaa54e1f810',
  );
});
