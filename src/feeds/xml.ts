/**
 * A small, safe, namespace-aware XML reader for feeds (XML 1.0, Namespaces in XML 1.0, XML Base).
 *
 * Built for untrusted input, so it deliberately does less than a full XML processor:
 *  - no DTD processing at all: a DOCTYPE without an internal subset is skipped; one whose internal subset
 *    declares entities (`<!ENTITY`) is refused with FEED_UNSAFE, so neither "billion laughs" expansion nor
 *    external entities (XXE) can happen. Only the five predefined entities and character references are
 *    decoded; any other `&name;` is kept as written (the HTML layer may decode it later).
 *  - nesting is limited (`maxDepth`), and the caller limits the input size before calling.
 *  - tolerant where feeds are sloppy: a stray `&`, an end tag that closes a skipped element, an undeclared
 *    prefix that is a well-known feed prefix (`itunes:`, `media:` ...), anything after the root element.
 *    It is strict where silence would hide a broken document: text before the root, a document that ends
 *    inside an element.
 *
 * The result is a tree of `XmlElement`s whose names are resolved to (namespace URI, local name) and whose
 * `base` is the in-scope xml:base, already resolved against the document URL.
 */

import { SeedcastError } from '../errors.js';
import { resolveUrl } from './urls.js';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Prefixes that feeds often use without declaring them, and the namespace each one means. */
const WELL_KNOWN: Record<string, string> = {
  xml: XML_NS,
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
  media: 'http://search.yahoo.com/mrss/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  sy: 'http://purl.org/rss/1.0/modules/syndication/',
  atom: 'http://www.w3.org/2005/Atom',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
};

export interface XmlAttribute {
  /** Namespace URI ('' for an unprefixed attribute). */
  ns: string;
  local: string;
  value: string;
}

export interface XmlElement {
  ns: string;
  local: string;
  /** The qualified name as written, e.g. `media:content`. */
  qname: string;
  attrs: XmlAttribute[];
  children: XmlNode[];
  /** The in-scope base URL (xml:base resolved against the document URL), for resolving relative URLs. */
  base: string;
}

export type XmlNode = XmlElement | string;

export interface ParseXmlOptions {
  /** The document's own URL: the base of relative URLs. */
  url: string;
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function invalid(detail: string): SeedcastError {
  return new SeedcastError('FEED_INVALID', detail.replace(/\s+/g, ' ')); // quoted input stays on one line
}

/** Decode character references and the five predefined entities; keep anything else literally. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{0,31});/g,
    (all, ref: string) => {
      if (ref[0] !== '#') return PREDEFINED[ref] ?? all;
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return validCodePoint(code) ? String.fromCodePoint(code) : '\uFFFD';
    },
  );
}

function validCodePoint(code: number): boolean {
  if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff) return false;
  return !(code >= 0xd800 && code <= 0xdfff);
}

interface Frame {
  el: XmlElement;
  /** Prefix -> namespace URI declared on this element (only when it declares any). */
  scope: Map<string, string> | undefined;
}

function lookup(stack: Frame[], prefix: string, own?: Frame): string | undefined {
  const mine = own?.scope?.get(prefix);
  if (mine !== undefined) return mine;
  for (let i = stack.length - 1; i >= 0; i--) {
    const ns = stack[i]!.scope?.get(prefix);
    if (ns !== undefined) return ns;
  }
  return prefix === '' ? '' : WELL_KNOWN[prefix];
}

function splitName(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

const NAME_END = /[\s/>]/;
/** What may follow a `<` that starts markup: a name start character, `/`, `!` or `?`. */
const TAG_START = /^[A-Za-z_:/!?\u00c0-\uffff]$/;
/** Read the attributes source of a start tag into raw (qname, value) pairs, in one linear pass. */
function readAttributes(src: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(src.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n && !isSpace(src.charCodeAt(i)) && src[i] !== '=') i++;
    const name = src.slice(nameStart, i);
    while (i < n && isSpace(src.charCodeAt(i))) i++;
    if (src[i] !== '=') continue; // a name without a value (HTML-style): ignored
    i++;
    while (i < n && isSpace(src.charCodeAt(i))) i++;
    const quote = src[i];
    if (quote !== '"' && quote !== "'")
      throw invalid(`the value of attribute "${name.slice(0, 20)}" is not quoted`);
    const close = src.indexOf(quote, i + 1);
    if (close < 0) throw invalid(`the value of attribute "${name.slice(0, 20)}" is not closed`);
    if (name !== '') out.push([name, decodeXmlEntities(src.slice(i + 1, close)).replace(/[\t\n\r]/g, ' ')]);
    i = close + 1;
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** Skip `<!DOCTYPE ...>` starting at `i`; refuse an internal subset that declares entities. */
function skipDoctype(xml: string, i: number): number {
  let j = i + 9;
  let quote = '';
  let depth = 0;
  for (; j < xml.length; j++) {
    const c = xml[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) break;
  }
  if (j >= xml.length) throw invalid('the document ends inside its DOCTYPE');
  const decl = xml.slice(i, j);
  if (/<!ENTITY/i.test(decl)) {
    throw new SeedcastError('FEED_UNSAFE', 'the DOCTYPE declares entities, which are never expanded');
  }
  return j + 1;
}

/**
 * Parse an XML document into its root element. Throws FEED_INVALID (not well-formed enough to read),
 * FEED_UNSAFE (entity declarations) or FEED_TOO_LARGE (nesting deeper than `maxDepth`).
 */
export function parseXml(xml: string, options: ParseXmlOptions): XmlElement {
  const maxDepth = options.maxDepth ?? 64;
  const stack: Frame[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const n = xml.length;
  let text = '';

  const flushText = (): void => {
    if (text === '') return;
    const top = stack[stack.length - 1];
    if (top) top.el.children.push(text);
    else if (text.trim() !== '') throw invalid('text outside the root element');
    text = '';
  };

  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      text += decodeXmlEntities(xml.slice(i));
      break;
    }
    if (lt > i) text += decodeXmlEntities(xml.slice(i, lt));
    i = lt;
    const next = xml[i + 1] ?? '';
    if (!TAG_START.test(next)) {
      text += '<'; // "a < b": a "<" that cannot start markup is taken as text, as lenient readers do
      i++;
      continue;
    }
    if (next === '!') {
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9);
        if (end < 0) throw invalid('the document ends inside a CDATA section');
        text += xml.slice(i + 9, end);
        i = end + 3;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) throw invalid('the document ends inside a comment');
        i = end + 3;
      } else if (xml.startsWith('<!DOCTYPE', i) || xml.startsWith('<!doctype', i)) {
        if (root || stack.length > 0) throw invalid('a DOCTYPE inside the document');
        i = skipDoctype(xml, i);
      } else {
        throw invalid(`unexpected markup "${xml.slice(i, i + 12)}"`);
      }
      continue;
    }
    if (next === '?') {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) throw invalid('the document ends inside a processing instruction');
      i = end + 2;
      continue;
    }
    const end = findTagEnd(xml, i + 1);
    if (end === -1) throw invalid('the document ends inside a tag');
    if (end < 0) throw invalid('a "<" inside a tag');
    flushText();
    if (next === '/') {
      closeTag(stack, xml.slice(i + 2, end).trim());
      i = end + 1;
      if (stack.length === 0) break; // whatever follows the root (a second document, server junk) is ignored
      continue;
    }
    const selfClosing = xml[end - 1] === '/';
    const body = xml.slice(i + 1, selfClosing ? end - 1 : end);
    const nameEnd = body.search(NAME_END);
    const qname = nameEnd < 0 ? body : body.slice(0, nameEnd);
    if (qname === '' || /[<&"']/.test(qname)) throw invalid(`bad tag name "${qname.slice(0, 20)}"`);
    if (stack.length >= maxDepth) {
      throw new SeedcastError('FEED_TOO_LARGE', `elements nested deeper than ${maxDepth}`);
    }
    const el = openElement(stack, qname, nameEnd < 0 ? '' : body.slice(nameEnd), options.url);
    if (stack.length > 0) stack[stack.length - 1]!.el.children.push(el.el);
    else root = el.el;
    if (!selfClosing) stack.push(el);
    i = end + 1;
    if (stack.length === 0) break;
  }
  if (stack.length > 0) throw invalid(`the document ends inside <${stack[stack.length - 1]!.el.qname}>`);
  if (text.trim() !== '') throw invalid('text outside the root element');
  if (!root) throw invalid('no root element');
  return root;
}

/** Index of the `>` that ends the tag whose name starts at `from`, skipping quoted attribute values. */
function findTagEnd(xml: string, from: number): number {
  let quote = '';
  for (let j = from; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote) {
      if (c === quote.charCodeAt(0)) quote = '';
    } else if (c === 62)
      return j; // >
    else if (c === 34 || c === 39) quote = xml[j]!;
    else if (c === 60) return -2 - j; // a '<' inside a tag: treat as broken
  }
  return -1;
}

function openElement(stack: Frame[], qname: string, attrSrc: string, docUrl: string): Frame {
  const raw = readAttributes(attrSrc);
  let scope: Map<string, string> | undefined;
  for (const [name, value] of raw) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    scope ??= new Map();
    scope.set(name === 'xmlns' ? '' : name.slice(6), value);
  }
  const frame: Frame = {
    el: { ns: '', local: '', qname, attrs: [], children: [], base: '' },
    scope,
  };
  const [prefix, local] = splitName(qname);
  frame.el.ns = lookup(stack, prefix, frame) ?? `urn:undeclared:${prefix}`;
  frame.el.local = local;
  const parentBase = stack.length > 0 ? stack[stack.length - 1]!.el.base : docUrl;
  let base = parentBase;
  for (const [name, value] of raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [ap, al] = splitName(name);
    const ns = ap === '' ? '' : (lookup(stack, ap, frame) ?? `urn:undeclared:${ap}`);
    frame.el.attrs.push({ ns, local: al, value });
    if (ns === XML_NS && al === 'base') base = resolveUrl(value, parentBase) ?? parentBase;
  }
  frame.el.base = base;
  return frame;
}

/** Close the element named `qname`: the innermost open one with that name (tolerating unclosed ones). */
function closeTag(stack: Frame[], qname: string): void {
  for (let k = stack.length - 1; k >= 0; k--) {
    if (stack[k]!.el.qname === qname) {
      stack.length = k;
      return;
    }
  }
  if (stack.length === 0) throw invalid(`an end tag </${qname}> without a start tag`);
  // An end tag that matches nothing open is ignored (sloppy HTML inside an unescaped description).
}

// ---- reading helpers ------------------------------------------------------------------------------

/** An expanded name to look for: namespace URI (or any of several) and local name. */
export type Name = readonly [ns: string | readonly string[], local: string];

/** The first child element with this name. */
export function child(el: XmlElement, name: Name): XmlElement | undefined {
  for (const c of el.children) {
    if (typeof c !== 'string' && c.local === name[1] && matchNs(c.ns, name[0])) return c;
  }
  return undefined;
}

/** Every child element with this name (any local name when it is '*'). */
export function children(el: XmlElement, name: Name): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (typeof c !== 'string' && (name[1] === '*' || c.local === name[1]) && matchNs(c.ns, name[0]))
      out.push(c);
  }
  return out;
}

function matchNs(actual: string, wanted: string | readonly string[]): boolean {
  return typeof wanted === 'string' ? actual === wanted : wanted.includes(actual);
}

/** An attribute's value: by local name when unprefixed, by [namespace, local name] otherwise. */
export function attr(
  el: XmlElement,
  name: string | readonly [ns: string, local: string],
): string | undefined {
  const [ns, local] = typeof name === 'string' ? ['', name] : name;
  for (const a of el.attrs) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/** The concatenated text content of an element and its descendants. */
export function textOf(el: XmlElement): string {
  if (el.children.length === 1 && typeof el.children[0] === 'string') return el.children[0];
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}

/** Serialise an element's children back to markup (for Atom `type="xhtml"` content). */
export function innerXml(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') out += escapeXml(c);
    else {
      const attrs = c.attrs.map((a) => ` ${a.local}="${escapeXml(a.value)}"`).join('');
      out +=
        c.children.length === 0 ? `<${c.local}${attrs}/>` : `<${c.local}${attrs}>${innerXml(c)}</${c.local}>`;
    }
  }
  return out;
}

/** Escape text for use in XML content or a double-quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}
