/**
 * OPML 2.0 subscription lists (http://opml.org/spec2.opml), both ways: `parseOpml` reads every outline
 * with an `xmlUrl` at any depth (a parent outline without one is a category), tolerating attribute names in
 * other cases (`xmlurl`) and repeated feeds; `buildOpml` writes a list that podcast apps import. Same size,
 * nesting and entity limits as feeds.
 */

import { SeedcastError } from '../errors.js';
import { decodeDocument } from './decode.js';
import { collapseWhitespace } from './text.js';
import { resolveHttpUrl } from './urls.js';
import { escapeXml, parseXml, type XmlElement } from './xml-read.js';

export interface Subscription {
  /** The feed URL (`xmlUrl`). */
  url: string;
  title?: string;
  /** The site's page (`htmlUrl`). */
  htmlUrl?: string;
  /** The enclosing outline's title, when the subscription sits in one. */
  category?: string;
}

export interface Opml {
  title?: string;
  subscriptions: Subscription[];
}

function attrCi(el: XmlElement, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const a of el.attrs) if (a.ns === '' && a.local.toLowerCase() === lower) return a.value;
  return undefined;
}

function elementChildren(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.local === local);
}

/** Read the subscriptions of an OPML document. */
export function parseOpml(
  input: Uint8Array | string,
  options: { maxBytes?: number; maxDepth?: number } = {},
): Opml {
  const text = decodeDocument(input, options).trimStart();
  if (!text.startsWith('<')) throw new SeedcastError('FEED_INVALID', 'opml: not XML');
  const root = parseXml(text, { url: '', maxDepth: options.maxDepth ?? 64 });
  if (root.local !== 'opml')
    throw new SeedcastError('FEED_INVALID', `opml: the root element is <${root.qname}>`);
  const out: Opml = { subscriptions: [] };
  const head = elementChildren(root, 'head')[0];
  const titleEl = head && elementChildren(head, 'title')[0];
  const title = titleEl && collapseWhitespace(titleEl.children.filter((c) => typeof c === 'string').join(''));
  if (title) out.title = title;
  const seen = new Set<string>();
  const walk = (el: XmlElement, category: string | undefined): void => {
    for (const o of elementChildren(el, 'outline')) {
      const name = collapseWhitespace(attrCi(o, 'title') ?? attrCi(o, 'text') ?? '');
      const xmlUrl = attrCi(o, 'xmlUrl');
      const url = xmlUrl ? resolveHttpUrl(xmlUrl, undefined) : undefined;
      if (url && !seen.has(url)) {
        seen.add(url);
        const sub: Subscription = { url };
        if (name) sub.title = name;
        const html = attrCi(o, 'htmlUrl');
        const htmlUrl = html ? resolveHttpUrl(html, undefined) : undefined;
        if (htmlUrl) sub.htmlUrl = htmlUrl;
        if (category) sub.category = category;
        out.subscriptions.push(sub);
      }
      walk(o, xmlUrl ? category : name || category);
    }
  };
  const body = elementChildren(root, 'body')[0];
  if (body) walk(body, undefined);
  return out;
}

/** Write subscriptions as an OPML 2.0 document (grouped into outlines by category). */
export function buildOpml(
  subscriptions: readonly Subscription[],
  options: { title?: string; date?: Date } = {},
): string {
  const line = (s: Subscription, indent: string): string => {
    const name = escapeXml(s.title ?? s.url);
    const html = s.htmlUrl ? ` htmlUrl="${escapeXml(s.htmlUrl)}"` : '';
    return `${indent}<outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeXml(s.url)}"${html}/>\n`;
  };
  let body = '';
  const groups = new Map<string, Subscription[]>();
  for (const s of subscriptions) {
    if (s.category) groups.set(s.category, [...(groups.get(s.category) ?? []), s]);
    else body += line(s, '    ');
  }
  for (const [category, subs] of groups) {
    body += `    <outline text="${escapeXml(category)}">\n${subs.map((s) => line(s, '      ')).join('')}    </outline>\n`;
  }
  const date = options.date ? `    <dateCreated>${options.date.toUTCString()}</dateCreated>\n` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head>\n' +
    `    <title>${escapeXml(options.title ?? 'Seedcast subscriptions')}</title>\n${date}  </head>\n` +
    `  <body>\n${body}  </body>\n</opml>\n`
  );
}
