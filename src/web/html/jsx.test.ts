/**
 * The JSX runtime escapes by default: text and attribute values cannot become markup, dangerous URL
 * schemes and inline event handlers never reach the page, `raw()` is the only way in for markup.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, Fragment, h, raw, safeUrl } from './jsx.js';
import { renderMarkdown } from './markdown.js';

test('text children are escaped', () => {
  const out = h('p', null, '<script>alert("x")</script> & \'q\'').value;
  assert.equal(out, '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>');
});

test('attribute values are escaped and cannot break out of their quotes', () => {
  const out = h('img', { alt: '"><script>alert(1)</script>', title: "' onerror='alert(1)" }).value;
  assert.equal(
    out,
    '<img alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" title="&#39; onerror=&#39;alert(1)">',
  );
  assert.doesNotMatch(out, /<script/);
});

test('javascript:, data: and vbscript: URLs are replaced; http(s), relative, mailto and magnet stay', () => {
  for (const bad of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
  ]) {
    assert.equal(safeUrl(bad), 'about:invalid#unsafe', bad);
    assert.equal(h('a', { href: bad }, 'x').value, '<a href="about:invalid#unsafe">x</a>');
    assert.match(h('img', { src: bad }).value, /src="about:invalid#unsafe"/);
    assert.match(h('form', { action: bad }).value, /action="about:invalid#unsafe"/);
  }
  for (const good of [
    'https://example.org/a?b=1&c=2',
    'http://example.org/',
    '/items/1',
    'items/1',
    '#comments',
    '?page=2',
    'mailto:a@example.org',
    'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567',
    '/search?q=a:b',
  ]) {
    assert.equal(safeUrl(good), good);
  }
  assert.equal(h('a', { href: '/s?a=1&b=2' }, 'x').value, '<a href="/s?a=1&amp;b=2">x</a>');
});

test('inline event handlers and bad attribute names are refused', () => {
  assert.throws(() => h('img', { src: 'x', onerror: 'alert(1)' }), /event handler/);
  assert.throws(() => h('a', { OnClick: 'alert(1)' }), /event handler/);
  assert.throws(() => h('a', { 'x"y': '1' }), /attribute name/);
  assert.throws(() => h('a', { 'a b': '1' }), /attribute name/);
  assert.throws(() => h('scr ipt', null), /tag name/);
  assert.throws(() => h('a', { title: {} as unknown as string }), /must be text/);
});

test('boolean attributes and void elements', () => {
  assert.equal(
    h('input', { type: 'checkbox', checked: true, disabled: false, value: null }).value,
    '<input type="checkbox" checked>',
  );
  assert.equal(h('br', null).value, '<br>');
  assert.throws(() => h('br', null, 'x'), /cannot have children/);
  assert.equal(
    h('video', { controls: true, preload: 'metadata' }).value,
    '<video controls preload="metadata"></video>',
  );
});

test('children: arrays flatten, numbers print, booleans and nullish vanish, Html passes through', () => {
  const out = h(
    'ul',
    null,
    [1, 2].map((n) => h('li', null, n)),
    false,
    null,
    undefined,
    true,
    raw('<li>ok</li>'),
  );
  assert.equal(out.value, '<ul><li>1</li><li>2</li><li>ok</li></ul>');
  assert.equal(h(Fragment, null, 'a', h('b', null, '<')).value, 'a<b>&lt;</b>');
});

test('components get their props and children', () => {
  const Box = (p: { label?: string; children?: unknown }) =>
    h('div', { 'aria-label': p.label }, p.children as string);
  assert.equal(
    h(Box as never, { label: '"x"' }, '<y>').value,
    '<div aria-label="&quot;x&quot;">&lt;y&gt;</div>',
  );
});

test('escapeHtml leaves plain text alone', () => {
  assert.equal(escapeHtml('plain text'), 'plain text');
  assert.equal(escapeHtml(''), '');
});

test('Markdown renders formatting but raw HTML stays text', () => {
  const out = renderMarkdown(
    '# Title\n\n*em* **strong** `code`\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n' +
      '<a href="javascript:alert(1)">x</a>',
  ).value;
  assert.match(out, /<h1>Title<\/h1>/);
  assert.match(out, /<em>em<\/em> <strong>strong<\/strong> <code>code<\/code>/);
  assert.doesNotMatch(out, /<script|<img|<a href="javascript/i);
  assert.match(out, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('Markdown links: javascript:, vbscript: and data: are not links; http(s) are, with rel=nofollow', () => {
  const out = renderMarkdown(
    '[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:x) [d](data:text/html,x) ' +
      '![e](data:image/png;base64,AAAA) [f](https://example.org/) <https://example.net/> https://example.com/x',
  ).value;
  assert.doesNotMatch(out, /href="(?:javascript|vbscript|data)/i);
  assert.doesNotMatch(out, /src="data/i);
  assert.match(out, /<a href="https:\/\/example.org\/" rel="nofollow ugc noopener">f<\/a>/);
  assert.match(out, /<a href="https:\/\/example.net\/" rel="nofollow ugc noopener">/);
  assert.match(out, /<a href="https:\/\/example.com\/x" rel="nofollow ugc noopener">/);
});
