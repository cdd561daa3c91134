/**
 * Item and channel descriptions are Markdown (CommonMark, via markdown-it) rendered to HTML with raw
 * HTML switched off: any `<tag>` a publisher writes comes out as text, so there is nothing to
 * sanitise afterwards. Links go through markdown-it's `validateLink` (no `javascript:`, `vbscript:`,
 * `file:` or non-image `data:` URLs) and then through our own `safeUrl` (http(s), mailto, magnet or
 * relative only); every link gets `rel="nofollow ugc noopener"`. The output is the one place pages
 * use `raw()` on text that came from a user.
 */

import MarkdownIt from 'markdown-it';
import { type Html, raw, safeUrl } from './jsx.js';

function createParser() {
  const md = new MarkdownIt('commonmark', { html: false, linkify: true, typographer: false });
  md.enable(['linkify', 'strikethrough', 'table']);
  const defaultValidate = md.validateLink.bind(md);
  md.validateLink = (url: string) => defaultValidate(url) && safeUrl(url) === url && !/^data:/i.test(url);
  const renderToken = md.renderer.renderToken.bind(md.renderer);
  md.renderer.rules.link_open = (tokens, idx, options) => {
    tokens[idx]!.attrSet('rel', 'nofollow ugc noopener');
    return renderToken(tokens, idx, options);
  };
  return md;
}

let parser: ReturnType<typeof createParser> | undefined;

/** Markdown to safe HTML (raw HTML in the source stays text). */
export function renderMarkdown(source: string): Html {
  parser ??= createParser();
  return raw(parser.render(source));
}
