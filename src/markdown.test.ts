/**
 * Markdown for descriptions, comments and feeds: HTML with raw HTML escaped, comments without
 * images or headings, and plain text without the syntax.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commentMarkdownHtml, markdownHtml, markdownText } from './markdown.js';

test('comments: bold and links rendered, raw HTML and scripts escaped, no images or headings', () => {
  const html = commentMarkdownHtml(
    '**bold** and [a link](https://example.org/)\n\n<script>alert(1)</script>\n\n![x](https://tracker.example/p.gif)\n\n# Shout',
  );
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<a href="https:\/\/example.org\/" rel="nofollow ugc noopener">a link<\/a>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script|<img|<h1/);
  assert.match(html, /# Shout/);
  assert.doesNotMatch(commentMarkdownHtml('[x](javascript:alert(1))'), /href="javascript/);
});

test('descriptions keep images and headings', () => {
  assert.match(
    markdownHtml('# Title\n\n![alt](https://example.org/a.png)'),
    /<h1>Title<\/h1>[\s\S]*<img src=/,
  );
});

test('plain text: the words without the syntax', () => {
  const text = markdownText(
    '# Night *train*\n\nSteam **locomotives** at `dusk`, see [the notes](https://example.org/n) or https://example.org/.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n```\ncode  kept\n```',
  );
  assert.equal(
    text,
    'Night train\n\nSteam locomotives at dusk, see the notes (https://example.org/n) or https://example.org/.\n\n- one\n- two\n\n1. first\n2. second\n\nquoted\n\ncode  kept',
  );
  assert.equal(markdownText(''), '');
  assert.equal(markdownText('a <b>literal</b> tag'), 'a <b>literal</b> tag', 'text, not markup');
});
