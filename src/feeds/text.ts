/**
 * Text in feeds: turning titles and descriptions that may hold HTML (RSS 2.0 allows entity-encoded HTML in
 * `description`; many feeds put it in `title` too) into plain text: tags stripped, `script`/`style` bodies
 * dropped, HTML character references decoded (a common subset of the HTML named entities plus numeric
 * ones), whitespace collapsed.
 */

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  deg: '°',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  times: '×',
  divide: '÷',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  ccedil: 'ç',
  ntilde: 'ñ',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  Eacute: 'É',
  aring: 'å',
  oslash: 'ø',
  aelig: 'æ',
  iexcl: '¡',
  iquest: '¿',
  shy: '\u00ad',
  zwnj: '\u200c',
  zwj: '\u200d',
  thinsp: '\u2009',
  ensp: '\u2002',
  emsp: '\u2003',
};

/** Decode HTML character references; unknown names are kept as written. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{0,31});/g,
    (all, ref: string) => {
      if (ref[0] !== '#') return NAMED[ref] ?? all;
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return '\uFFFD';
      }
      return String.fromCodePoint(code);
    },
  );
}

/** Collapse runs of whitespace (including no-break spaces) to one space and trim. */
export function collapseWhitespace(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim();
}

const BLOCK =
  /^(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|section|article|header|footer|hr|dd|dt)$/i;

/** Plain text from a fragment of HTML (or from text that merely looks like it may hold entities). */
export function htmlToText(html: string): string {
  if (!html.includes('<') && !html.includes('&')) return collapseWhitespace(html);
  const noScript = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, '');
  const stripped = noScript.replace(
    /<\/?([A-Za-z][A-Za-z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>/g,
    (_all, name: string) => (BLOCK.test(name) ? ' ' : ''),
  );
  return collapseWhitespace(decodeHtmlEntities(stripped));
}
