/**
 * RFC 4287 Atom 1.0 (and loosely the Atom 0.3 draft) into a `Feed`: text constructs of type text, html and
 * xhtml, `link rel="enclosure"` (which may point at a `.torrent` or a magnet link), xml:base scoping for
 * relative URLs, authors inherited from the feed, plus Media RSS, iTunes and podcast-namespace extensions
 * when an Atom feed carries them.
 */

import { parseDate, parseDuration } from './dates.js';
import { extensionEnclosures, makeEnclosure } from './enclosures.js';
import { finishItems, setDefined } from './items.js';
import { ATOM as ATOM_NS, ITUNES, XML_NS } from './namespaces.js';
import { extensionImage, mediaDescription, textChild } from './parse-rss.js';
import { podcastLinks } from './podcast-links.js';
import { collapseWhitespace, htmlToText } from './text.js';
import type { Enclosure, Feed, FeedItem } from './types.js';
import { resolveHttpUrl } from './urls.js';
import { attr, child, children, innerXml, textOf, type XmlElement } from './xml-read.js';

/** Atom's namespaces, and none: some feeds omit `xmlns` on `<feed>` (parse.ts only sends us a `<feed>` root). */
const ATOM = [...ATOM_NS, ''];

interface TextConstruct {
  /** As given: text, or HTML markup for type html/xhtml. */
  value: string;
  text: string;
}

function textConstruct(el: XmlElement | undefined): TextConstruct | undefined {
  if (!el) return undefined;
  const type = (attr(el, 'type') ?? 'text').toLowerCase();
  let value: string;
  if (type === 'xhtml' || type === 'application/xhtml+xml') {
    const div = el.children.find((c): c is XmlElement => typeof c !== 'string' && c.local === 'div');
    value = (div ? innerXml(div) : innerXml(el)).trim();
  } else value = textOf(el).trim();
  if (value === '') return undefined;
  const isText = type === 'text' || type === 'text/plain';
  return { value, text: isText ? collapseWhitespace(value) : htmlToText(value) };
}

function linkHref(el: XmlElement, rel: string): string | undefined {
  for (const l of children(el, [ATOM, 'link'])) {
    const r = attr(l, 'rel') ?? 'alternate';
    const href = attr(l, 'href');
    if (r === rel && href) return resolveHttpUrl(href, l.base);
  }
  return undefined;
}

function personName(el: XmlElement): string | undefined {
  const names = children(el, [ATOM, 'author'])
    .map((a) => textChild(a, [ATOM, 'name']) ?? textChild(a, [ATOM, 'email']))
    .filter((n): n is string => n !== undefined);
  return names.length > 0 ? names.map((n) => collapseWhitespace(n)).join(', ') : undefined;
}

function atomEnclosures(entry: XmlElement): Enclosure[] {
  const out: Enclosure[] = [];
  for (const l of children(entry, [ATOM, 'link'])) {
    if (attr(l, 'rel') !== 'enclosure') continue;
    const enc = makeEnclosure(attr(l, 'href'), l.base, {
      source: 'atom-link',
      type: attr(l, 'type'),
      length: attr(l, 'length'),
      title: attr(l, 'title'),
    });
    if (enc) out.push(enc);
  }
  return out;
}

function parseEntry(entry: XmlElement, feedAuthor: string | undefined): FeedItem {
  const title = textConstruct(child(entry, [ATOM, 'title']));
  const item: FeedItem = {
    guid: textChild(entry, [ATOM, 'id']) ?? '',
    guidDerived: false,
    title: title?.text ?? '',
    enclosures: [],
  };
  const summary = textConstruct(child(entry, [ATOM, 'summary']));
  const contentEl = child(entry, [ATOM, 'content']);
  const content = contentEl && attr(contentEl, 'src') === undefined ? textConstruct(contentEl) : undefined;
  const updated = parseDate(textChild(entry, [ATOM, 'updated']) ?? textChild(entry, [ATOM, 'modified']));
  const published = parseDate(
    textChild(entry, [ATOM, 'published']) ??
      textChild(entry, [ATOM, 'issued']) ??
      textChild(entry, [ATOM, 'created']),
  );
  const source = child(entry, [ATOM, 'source']);
  const media = mediaDescription(entry);
  setDefined(item, {
    link: linkHref(entry, 'alternate'),
    description: summary?.value ?? media,
    descriptionText: summary?.text ?? content?.text ?? (media && htmlToText(media)),
    content: content?.value,
    published: published ?? updated,
    updated,
    author: personName(entry) ?? (source && personName(source)) ?? feedAuthor,
    duration: parseDuration(textChild(entry, [ITUNES, 'duration'])),
    image: extensionImage(entry),
    ...podcastLinks(entry),
  });
  item.enclosures = [...atomEnclosures(entry), ...extensionEnclosures(entry, { rssEnclosures: false })];
  return item;
}

/** Parse an Atom `<feed>` root element into a Feed. */
export function parseAtom(root: XmlElement): Feed {
  const title = textConstruct(child(root, [ATOM, 'title']));
  const legacy = root.ns === ATOM_NS[1];
  const feed: Feed = { format: 'atom', version: legacy ? '0.3' : '1.0', title: title?.text ?? '', items: [] };
  const subtitle = textConstruct(child(root, [ATOM, 'subtitle']) ?? child(root, [ATOM, 'tagline']));
  const logo = child(root, [ATOM, 'logo']) ?? child(root, [ATOM, 'icon']);
  const logoUrl = logo ? textOf(logo).trim() : '';
  const author = personName(root);
  setDefined(feed, {
    link: linkHref(root, 'alternate'),
    description: subtitle?.value,
    descriptionText: subtitle?.text,
    image: (logo && logoUrl && resolveHttpUrl(logoUrl, logo.base)) || extensionImage(root),
    language: attr(root, [XML_NS, 'lang'])?.trim(),
    author,
  });
  feed.items = finishItems(children(root, [ATOM, 'entry']).map((e) => parseEntry(e, author)));
  return feed;
}
