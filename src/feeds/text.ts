/**
 * Text in feeds: turning titles and descriptions that may hold HTML (RSS 2.0 allows entity-encoded HTML in
 * `description`; many feeds put it in `title` too) into plain text: tags stripped, `script`/`style` bodies
 * dropped, HTML character references decoded (a common subset of the HTML named entities plus numeric
 * ones), whitespace collapsed.
 */

import { decodeHtmlEntities } from './entities.js';

function isWhite(c: number): boolean {
  return (
    c === 32 ||
    c === 10 ||
    c === 9 ||
    c === 13 ||
    c === 12 ||
    c === 11 ||
    c === 0xa0 ||
    c === 0x3000 ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f
  );
}

/** Collapse runs of whitespace (including no-break spaces) to one space and trim. */
export function collapseWhitespace(s: string): string {
  // Most titles need nothing: check without allocating before rewriting.
  let clean = s.length === 0 || (!isWhite(s.charCodeAt(0)) && !isWhite(s.charCodeAt(s.length - 1)));
  for (let k = 0; clean && k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c !== 32 ? isWhite(c) : s.charCodeAt(k + 1) === 32) clean = false;
  }
  return clean ? s : s.replace(/[\s\u00a0]+/g, ' ').trim();
}

const BLOCK = new Set([
  'p',
  'div',
  'br',
  'li',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'tr',
  'td',
  'th',
  'blockquote',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'hr',
  'dd',
  'dt',
]);
const RAW_TEXT = new Set(['script', 'style', 'template']);

function isNameChar(c: number, first: boolean): boolean {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return first ? letter : letter || (c >= 48 && c <= 57) || c === 45;
}

/**
 * Plain text from a fragment of HTML (or from text that merely may hold entities). One linear pass, so a
 * hostile description cannot make it slow: tags are dropped (block ones become a space), comments,
 * declarations, processing instructions and the bodies of script/style/template are dropped, then entities are decoded and whitespace collapsed.
 */
export function htmlToText(html: string): string {
  if (!html.includes('<')) return collapseWhitespace(decodeHtmlEntities(html));
  let lower: string | undefined; // made only when a script/style/template body must be skipped
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
    const mark = html.charCodeAt(lt + 1);
    if (mark === 33 || mark === 63) {
      // <!DOCTYPE ...>, <![CDATA[ ... ]]>-like debris, <?php ... ?>: markup, not text
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const closing = html.charCodeAt(lt + 1) === 47;
    const start = lt + (closing ? 2 : 1);
    let j = start;
    while (j < html.length && j - start < 32 && isNameChar(html.charCodeAt(j), j === start)) j++;
    if (j === start) {
      parts.push('<'); // a lone "<" is text ("a < b")
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', j);
    if (gt < 0) break; // an unfinished tag at the end
    const name = html.slice(start, j).toLowerCase();
    if (BLOCK.has(name)) parts.push(' ');
    i = gt + 1;
    if (!closing && RAW_TEXT.has(name)) {
      lower ??= html.toLowerCase();
      const close = lower.indexOf(`</${name}`, i);
      const closeEnd = close < 0 ? -1 : html.indexOf('>', close);
      i = closeEnd < 0 ? html.length : closeEnd + 1;
    }
  }
  return collapseWhitespace(decodeHtmlEntities(parts.join('')));
}
