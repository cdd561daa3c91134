/**
 * Text in feeds: turning titles and descriptions that may hold HTML (RSS 2.0 allows entity-encoded HTML in
 * `description`; many feeds put it in `title` too) into plain text: tags stripped, `script`/`style` bodies
 * dropped, HTML character references decoded (a common subset of the HTML named entities plus numeric
 * ones), whitespace collapsed.
 */

import { decodeHtmlEntities } from './entities.js';

/** Collapse runs of whitespace (including no-break spaces) to one space and trim. */
export function collapseWhitespace(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim();
}

const BLOCK =
  /^(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|section|article|header|footer|hr|dd|dt)$/i;
const RAW_TEXT = /^(?:script|style|template)$/i;

/**
 * Plain text from a fragment of HTML (or from text that merely may hold entities). One linear pass, so a
 * hostile description cannot make it slow: tags are dropped (block ones become a space), comments and the
 * bodies of script/style/template are dropped, then entities are decoded and whitespace collapsed.
 */
export function htmlToText(html: string): string {
  if (!html.includes('<')) return collapseWhitespace(decodeHtmlEntities(html));
  const lower = html.toLowerCase();
  const parts: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      parts.push(html.slice(i));
      break;
    }
    parts.push(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const m = /^<\/?([A-Za-z][A-Za-z0-9-]{0,31})/.exec(html.slice(lt, lt + 34));
    if (!m) {
      parts.push('<'); // a lone "<" is text ("a < b")
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt < 0) break; // an unfinished tag at the end
    const name = m[1]!;
    if (BLOCK.test(name)) parts.push(' ');
    i = gt + 1;
    if (RAW_TEXT.test(name) && html[lt + 1] !== '/') {
      const close = lower.indexOf(`</${name.toLowerCase()}`, i);
      const closeEnd = close < 0 ? -1 : html.indexOf('>', close);
      i = closeEnd < 0 ? html.length : closeEnd + 1;
    }
  }
  return collapseWhitespace(decodeHtmlEntities(parts.join('')));
}
