/**
 * A small XML writer for the feeds the site serves (XML 1.0): elements are plain values built with
 * `el`, and every text and attribute value is escaped when rendered (`&`, `<`, `>`, and `"` in
 * attributes), so user text can never end an element, open a tag or close a CDATA section (`]]>`
 * becomes `]]&gt;`). Characters XML 1.0 does not allow (C0 controls other than tab, line feed and
 * carriage return, lone surrogates, U+FFFE and U+FFFF) are dropped, so the output is always
 * well-formed. No CDATA, no raw markup: HTML that a feed carries is carried as escaped text.
 */

export type XmlAttrs = Record<string, string | number | boolean | null | undefined>;
export type XmlChild = XmlOut | string | number | null | undefined | false;

export interface XmlOut {
  name: string;
  attrs: XmlAttrs;
  children: XmlChild[];
}

/** An element; attributes that are null or undefined are left out, and so are empty children. */
export function el(name: string, attrs: XmlAttrs = {}, ...children: (XmlChild | XmlChild[])[]): XmlOut {
  return { name, attrs, children: children.flat() };
}

// Everything outside XML 1.0's Char production (lone surrogates included).
const NOT_XML_CHAR = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Removes characters an XML 1.0 document cannot contain. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** Escapes character data (a carriage return as a reference, so parsers keep it). */
export function escapeText(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escapes an attribute value for double quotes (whitespace kept as character references). */
export function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

function present(c: XmlChild): c is XmlOut | string | number {
  return c !== null && c !== undefined && c !== false;
}

function renderElement(node: XmlOut, indent: string, out: string[]): void {
  let open = `<${node.name}`;
  for (const [k, v] of Object.entries(node.attrs)) {
    if (v === null || v === undefined) continue;
    open += ` ${k}="${escapeAttr(String(v))}"`;
  }
  const children = node.children.filter(present);
  if (children.length === 0) {
    out.push(`${indent}${open}/>`);
    return;
  }
  if (children.every((c) => typeof c !== 'object')) {
    out.push(`${indent}${open}>${children.map((c) => escapeText(String(c))).join('')}</${node.name}>`);
    return;
  }
  out.push(`${indent}${open}>`);
  for (const c of children) {
    if (typeof c === 'object') renderElement(c, `${indent}  `, out);
    else out.push(`${indent}  ${escapeText(String(c))}`);
  }
  out.push(`${indent}</${node.name}>`);
}

/** The whole document: the XML declaration (UTF-8) and the root element, indented. */
export function renderXml(root: XmlOut, options: { stylesheet?: string } = {}): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (options.stylesheet)
    out.push(`<?xml-stylesheet type="text/xsl" href="${escapeAttr(options.stylesheet)}"?>`);
  renderElement(root, '', out);
  return `${out.join('\n')}\n`;
}
