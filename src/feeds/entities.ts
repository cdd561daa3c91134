/**
 * Character references and named entities, decoded in one pass without regular expressions: XML 1.0's
 * five predefined entities and `&#...;` references (section 4.1), and for text that came as HTML, a common
 * subset of the HTML named character references. An unknown name is kept as written; a reference to an
 * invalid code point becomes U+FFFD. The search for `;` is bounded, so hostile input stays linear.
 */

const XML_NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const HTML_NAMED: Record<string, string> = {
  ...XML_NAMED,
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

/** Longest reference we look at: `&#x10FFFF;` and every name in the tables fit. */
const MAX_REF = 33;

function numeric(ref: string): string | undefined {
  const hex = ref.charCodeAt(1) === 120 || ref.charCodeAt(1) === 88; // x X
  const digits = ref.slice(hex ? 2 : 1);
  if (digits.length === 0 || digits.length > (hex ? 8 : 10)) return undefined;
  for (let k = 0; k < digits.length; k++) {
    const c = digits.charCodeAt(k);
    const ok = (c >= 48 && c <= 57) || (hex && ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)));
    if (!ok) return undefined;
  }
  const code = Number.parseInt(digits, hex ? 16 : 10);
  if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

function decode(s: string, named: Record<string, string>): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    let semi = -1;
    const limit = Math.min(s.length, amp + MAX_REF + 2);
    for (let j = amp + 1; j < limit; j++) {
      const c = s.charCodeAt(j);
      if (c === 59) {
        semi = j;
        break;
      }
      if (c === 38) break; // another '&' first: this one is literal
    }
    const ref = semi > amp + 1 ? s.slice(amp + 1, semi) : '';
    let value: string | undefined;
    if (ref.charCodeAt(0) === 35) value = numeric(ref);
    else if (ref !== '' && Object.hasOwn(named, ref)) value = named[ref];
    if (value === undefined) {
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    out += s.slice(from, amp) + value;
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Decode XML character references and the five predefined entities; keep anything else as written. */
export function decodeXmlEntities(s: string): string {
  return decode(s, XML_NAMED);
}

/** Decode HTML character references (numeric, and a common subset of the named ones). */
export function decodeHtmlEntities(s: string): string {
  return decode(s, HTML_NAMED);
}
