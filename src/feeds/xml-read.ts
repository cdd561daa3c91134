/**
 * A small, safe, namespace-aware XML reader for feeds (XML 1.0, Namespaces in XML 1.0, XML Base).
 *
 * Built for untrusted input, so it deliberately does less than a full XML processor:
 *  - no DTD processing at all: a DOCTYPE without an internal subset is skipped; one whose internal subset
 *    declares entities (`<!ENTITY`) is refused with FEED_UNSAFE, so neither "billion laughs" expansion nor
 *    external entities (XXE) can happen. Only the five predefined entities and character references are
 *    decoded; any other `&name;` is kept as written (the HTML layer may decode it later).
 *  - nesting is limited (`maxDepth`), and the caller limits the input size before calling.
 *  - tolerant where feeds are sloppy: a stray `&` or `<` ("1 < 2"), an end tag that closes a skipped
 *    element, an undeclared prefix that is a well-known feed prefix (`itunes:`, `media:` ...), anything
 *    after the root element, a root end tag cut just before its `>`.
 *    It is strict where silence would hide a broken document: text before the root, a document that ends
 *    inside an element.
 *
 * The result is a tree of `XmlElement`s whose names are resolved to (namespace URI, local name) and whose
 * `base` is the in-scope xml:base, already resolved against the document URL.
 */

import { SeedcastError } from '../errors.js';
import { decodeXmlEntities } from './entities.js';
import { WELL_KNOWN_PREFIXES as WELL_KNOWN, XML_NS } from './namespaces.js';
import { resolveUrl } from './urls.js';

export { decodeXmlEntities, XML_NS };

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

const NO_ATTRS: XmlAttribute[] = []; // shared by elements without attributes; never mutated

function invalid(detail: string): SeedcastError {
  return new SeedcastError('FEED_INVALID', detail.replace(/\s+/g, ' ')); // quoted input stays on one line
}

/** Prefix -> namespace URI per open element (undefined when it declares none). */
type Scope = Map<string, string> | undefined;

function lookup(scopes: Scope[], prefix: string, own: Scope): string | undefined {
  const mine = own?.get(prefix);
  if (mine !== undefined) return mine;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const ns = scopes[i]?.get(prefix);
    if (ns !== undefined) return ns;
  }
  return prefix === '' ? '' : WELL_KNOWN[prefix];
}

const NO_NAMES: string[] = []; // for tags without attributes; never mutated

function hasBreaks(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 10 || c === 9 || c === 13) return true;
  }
  return false;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** What may follow a `<` that starts markup: a name start character, `/`, `!` or `?`. */
function isTagStart(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 58 ||
    c === 47 ||
    c === 33 ||
    c === 63 ||
    c >= 0xc0
  );
}

/**
 * Read the attributes between `from` and `to` into `names` and `values`, in one linear pass. Literal tabs
 * and line breaks in values become spaces (XML 1.0 section 3.3.3) before references are decoded.
 */
function readAttributes(xml: string, from: number, to: number, names: string[], values: string[]): void {
  let i = from;
  while (i < to) {
    while (i < to && isSpace(xml.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < to && !isSpace(xml.charCodeAt(i)) && xml.charCodeAt(i) !== 61) i++; // =
    const name = xml.slice(nameStart, i);
    while (i < to && isSpace(xml.charCodeAt(i))) i++;
    if (xml.charCodeAt(i) !== 61 || i >= to) continue; // a name without a value (HTML-style): ignored
    i++;
    while (i < to && isSpace(xml.charCodeAt(i))) i++;
    const quote = xml[i];
    if (quote !== '"' && quote !== "'")
      throw invalid(`the value of attribute "${name.slice(0, 20)}" is not quoted`);
    const close = xml.indexOf(quote, i + 1);
    if (close < 0 || close >= to)
      throw invalid(`the value of attribute "${name.slice(0, 20)}" is not closed`);
    if (name !== '') {
      names.push(name);
      const raw = xml.slice(i + 1, close);
      values.push(decodeXmlEntities(hasBreaks(raw) ? raw.replace(/[\t\n\r]/g, ' ') : raw));
    }
    i = close + 1;
  }
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
  if (/<!ENTITY/i.test(xml.slice(i, j))) {
    throw new SeedcastError('FEED_UNSAFE', 'the DOCTYPE declares entities, which are never expanded');
  }
  return j + 1;
}

/** Index of the `>` that ends a tag, skipping quoted attribute values; -1 at the end, < -1 for a `<`. */
function findTagEnd(xml: string, from: number): number {
  let quote = 0;
  for (let j = from; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 62)
      return j; // >
    else if (c === 34 || c === 39) quote = c;
    else if (c === 60) return -2 - j; // a '<' inside a tag: broken
  }
  return -1;
}

/** True when xml[from, to) is all whitespace. */
function blank(xml: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (!isSpace(xml.charCodeAt(j))) return false;
  return true;
}

/**
 * Parse an XML document into its root element. Throws FEED_INVALID (not well-formed enough to read),
 * FEED_UNSAFE (entity declarations) or FEED_TOO_LARGE (nesting deeper than `maxDepth`).
 * Whitespace-only text between tags is kept as a single space (enough for mixed content, and cheap).
 */
export function parseXml(xml: string, options: ParseXmlOptions): XmlElement {
  const maxDepth = options.maxDepth ?? 64;
  const els: XmlElement[] = [];
  const scopes: Scope[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const n = xml.length;
  let text = '';
  let space = false; // whitespace-only text seen since the last tag, not yet in `text`

  while (i < n) {
    const lt = xml.indexOf('<', i);
    const stop = lt < 0 ? n : lt;
    if (stop > i) {
      if (text === '' && blank(xml, i, stop)) space = true;
      else text += decodeXmlEntities(xml.slice(i, stop));
    }
    if (lt < 0) break;
    i = lt;
    const next = xml.charCodeAt(i + 1);
    if (!isTagStart(next)) {
      text += '<'; // "a < b": a "<" that cannot start markup is taken as text, as lenient readers do
      i++;
      continue;
    }
    if (next === 33) {
      // <!
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
        if (root) throw invalid('a DOCTYPE inside the document');
        i = skipDoctype(xml, i);
      } else {
        throw invalid(`unexpected markup "${xml.slice(i, i + 12)}"`);
      }
      continue;
    }
    if (next === 63) {
      // <?
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) throw invalid('the document ends inside a processing instruction');
      i = end + 2;
      continue;
    }
    // A tag: flush the text before it into the open element.
    const top = els[els.length - 1];
    if (text !== '' || space) {
      if (top) top.children.push(text === '' ? ' ' : text);
      else if (text.trim() !== '') throw invalid('text outside the root element');
      text = '';
      space = false;
    }
    const closing = next === 47; // </
    let j = i + (closing ? 2 : 1);
    const nameStart = j;
    for (; j < n; j++) {
      const c = xml.charCodeAt(j);
      if (isSpace(c) || c === 62 || c === 47) break; // > /
      if (c === 60 || c === 38 || c === 34 || c === 39 || c === 61) throw invalid('a bad tag name');
    }
    let end = findTagEnd(xml, j);
    if (end === -1 && closing && j === n) end = n; // "</rss" cut at the very end: read as "</rss>"
    if (end === -1) throw invalid('the document ends inside a tag');
    if (end < 0) throw invalid('a "<" inside a tag');
    i = end + 1;
    if (closing) {
      closeTag(els, scopes, xml, [nameStart, j]);
      if (els.length === 0) break; // whatever follows the root (a second document, server junk) is ignored
      if (end === n) throw invalid('the document ends inside a tag');
      continue;
    }
    const qname = xml.slice(nameStart, j);
    if (qname === '') throw invalid('a tag without a name');
    if (els.length >= maxDepth)
      throw new SeedcastError('FEED_TOO_LARGE', `elements nested deeper than ${maxDepth}`);
    const selfClosing = xml.charCodeAt(end - 1) === 47 && end - 1 >= j;
    const el = openElement(xml, qname, [j, selfClosing ? end - 1 : end], { els, scopes, url: options.url });
    if (top) top.children.push(el);
    else root = el;
    if (selfClosing) scopes.pop();
    else els.push(el);
    if (els.length === 0) break;
  }
  if (els.length > 0) throw invalid(`the document ends inside <${els[els.length - 1]!.qname}>`);
  if (text.trim() !== '') throw invalid('text outside the root element');
  if (!root) throw invalid('no root element');
  return root;
}

interface OpenState {
  els: XmlElement[];
  scopes: Scope[];
  url: string;
}

/** Build the element whose attributes lie in xml[range]; pushes its scope (the caller pops it if empty). */
function openElement(xml: string, qname: string, range: [number, number], state: OpenState): XmlElement {
  const { els, scopes } = state;
  const names: string[] = range[1] > range[0] ? [] : NO_NAMES;
  const values: string[] = names === NO_NAMES ? NO_NAMES : [];
  if (names !== NO_NAMES) readAttributes(xml, range[0], range[1], names, values);
  let scope: Scope;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    scope ??= new Map();
    scope.set(name === 'xmlns' ? '' : name.slice(6), values[k]!);
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const parentBase = els.length > 0 ? els[els.length - 1]!.base : state.url;
  const el: XmlElement = {
    ns: lookup(scopes, prefix, scope) ?? `urn:undeclared:${prefix}`,
    local: colon < 0 ? qname : qname.slice(colon + 1),
    qname,
    attrs: names.length === 0 ? NO_ATTRS : [],
    children: [],
    base: parentBase,
  };
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const c = name.indexOf(':');
    const ap = c < 0 ? '' : name.slice(0, c);
    const local = c < 0 ? name : name.slice(c + 1);
    const ns = ap === '' ? '' : (lookup(scopes, ap, scope) ?? `urn:undeclared:${ap}`);
    el.attrs.push({ ns, local, value: values[k]! });
    if (ns === XML_NS && local === 'base') el.base = resolveUrl(values[k]!, parentBase) ?? parentBase;
  }
  scopes.push(scope);
  return el;
}

/**
 * Close the element whose name is xml[name]: the innermost open one with that name (tolerating unclosed
 * ones). Compares in place, so end tags allocate nothing.
 */
function closeTag(els: XmlElement[], scopes: Scope[], xml: string, name: [number, number]): void {
  const length = name[1] - name[0];
  for (let k = els.length - 1; k >= 0; k--) {
    const q = els[k]!.qname;
    if (q.length === length && xml.startsWith(q, name[0])) {
      els.length = k;
      scopes.length = k;
      return;
    }
  }
  if (els.length === 0) throw invalid(`an end tag </${xml.slice(name[0], name[1])}> without a start tag`);
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
