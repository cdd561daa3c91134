/**
 * Item and channel descriptions are Markdown (CommonMark, via markdown-it) rendered to HTML with raw
 * HTML switched off: any `<tag>` a publisher writes comes out as text, so there is nothing to
 * sanitise afterwards. Links go through markdown-it's `validateLink` (no `javascript:`, `vbscript:`,
 * `file:` or non-image `data:` URLs) and then through our own `safeUrl` (http(s), mailto, magnet or
 * relative only); every link gets `rel="nofollow ugc noopener"`.
 *
 * Comments use a stricter subset (`commentMarkdownHtml`): no images (nothing a visitor's comment
 * makes other visitors' browsers fetch), no headings and no tables; emphasis, links, lists, quotes
 * and code stay. Feeds want the same description twice (`markdownHtml`, the HTML as a string for
 * `content:encoded`, and `markdownText`, plain text for `description`/`itunes:summary`: a walk over
 * markdown-it's tokens that keeps the words, code, list markers and link targets, and drops the
 * syntax).
 *
 * Pages take the HTML through `web/html/markdown.ts` (as `Html`, the one place they use `raw()` on
 * text that came from a user); feeds take the strings. A leaf: imports only markdown-it and
 * `safe-url.ts`.
 */

import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import { safeUrl } from './safe-url.js';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

function createParser(variant: 'full' | 'comment') {
  // markdown-it is loaded on first use, not at import: the aggregator loads `feeds`, whose writers
  // import this module, and never renders Markdown.
  const Parser = createRequire(import.meta.url)('markdown-it') as typeof MarkdownIt;
  const md = new Parser('commonmark', { html: false, linkify: true, typographer: false });
  md.enable(['linkify', 'strikethrough']);
  if (variant === 'full') md.enable('table');
  else md.disable(['image', 'heading', 'lheading']);
  const defaultValidate = md.validateLink.bind(md);
  md.validateLink = (url: string) => defaultValidate(url) && safeUrl(url) === url && !/^data:/i.test(url);
  const renderToken = md.renderer.renderToken.bind(md.renderer);
  md.renderer.rules.link_open = (tokens, idx, options) => {
    tokens[idx]!.attrSet('rel', 'nofollow ugc noopener');
    return renderToken(tokens, idx, options);
  };
  return md;
}

const parsers: Partial<Record<'full' | 'comment', ReturnType<typeof createParser>>> = {};
function parser(variant: 'full' | 'comment') {
  parsers[variant] ??= createParser(variant);
  return parsers[variant];
}

/** Markdown to safe HTML, as a string (raw HTML in the source stays text). */
export function markdownHtml(source: string): string {
  return parser('full').render(source);
}

/** A comment's Markdown to safe HTML, as a string: no images, headings or tables (they stay text). */
export function commentMarkdownHtml(source: string): string {
  return parser('comment').render(source);
}

function inlineText(children: readonly Token[]): string {
  let out = '';
  let href: string | null = null;
  let start = 0;
  for (const c of children) {
    if (c.type === 'text' || c.type === 'code_inline') out += c.content;
    else if (c.type === 'softbreak' || c.type === 'hardbreak') out += '\n';
    else if (c.type === 'image') out += inlineText(c.children ?? []);
    else if (c.type === 'link_open') {
      // Autolinks and bare URLs show their target already; others keep it after the text.
      href = c.markup === 'linkify' || c.markup === 'autolink' ? null : String(c.attrGet('href') ?? '');
      start = out.length;
    } else if (c.type === 'link_close') {
      if (href && out.slice(start) !== href) out += ` (${href})`;
      href = null;
    }
  }
  return out;
}

/** Markdown to plain text: the words without the syntax, paragraphs apart, list items on lines. */
export function markdownText(source: string): string {
  let out = '';
  let prefix = '';
  let lastWasItem = false;
  for (const t of parser('full').parse(source, {})) {
    if (t.type === 'list_item_open') {
      prefix = t.markup === '.' || t.markup === ')' ? `${t.info}${t.markup} ` : '- ';
      continue;
    }
    if (t.type === 'bullet_list_close' || t.type === 'ordered_list_close') lastWasItem = false;
    let text: string;
    if (t.type === 'inline') text = inlineText(t.children ?? []);
    else if (t.type === 'fence' || t.type === 'code_block') text = t.content.replace(/\n$/, '');
    else continue;
    if (text.trim() === '') continue;
    if (out !== '') out += prefix && lastWasItem ? '\n' : '\n\n';
    out += prefix + text;
    lastWasItem = prefix !== '';
    prefix = '';
  }
  return out;
}
