/**
 * RSS 2.0 (and 0.91/0.92, which it extends) and RDF Site Summary 1.0 / 0.90 into a `Feed`, with the
 * iTunes podcast tags, podcast namespace 1.0, Media RSS 1.5, Dublin Core, `content:encoded` and the RSS 1.0
 * syndication module. Loose where feeds are loose: items may sit under `<channel>` or beside it, a
 * permalink guid stands in for a missing link, HTML in titles is reduced to text.
 */

import { SeedcastError } from '../errors.js';
import { parseDate, parseDuration, parseMinutes, updateInterval } from './dates.js';
import { extensionEnclosures } from './enclosures.js';
import { finishItems, setDefined } from './items.js';
import { CONTENT, DC, ITUNES, MEDIA, RDF, RSS, SY } from './namespaces.js';
import { podcastLinks } from './podcast-links.js';
import { htmlToText } from './text.js';
import type { Feed, FeedItem } from './types.js';
import { isHttpUrl, resolveHttpUrl } from './urls.js';
import { attr, child, children, innerXml, type Name, textOf, type XmlElement } from './xml-read.js';

/** Trimmed text of the first matching child, or undefined when absent or blank. */
export function textChild(el: XmlElement, name: Name): string | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  const t = textOf(c).trim();
  return t === '' ? undefined : t;
}

/** Content that may hold markup: escaped HTML is text already; unescaped (X)HTML children are re-serialised. */
export function markupChild(el: XmlElement, name: Name): string | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  const t = (c.children.some((x) => typeof x !== 'string') ? innerXml(c) : textOf(c)).trim();
  return t === '' ? undefined : t;
}

function urlChild(el: XmlElement, name: Name): string | undefined {
  const c = child(el, name);
  const t = c ? textOf(c).trim() : '';
  return t && c ? resolveHttpUrl(t, c.base) : undefined;
}

/** "jo@example.com (Jo Smith)" -> "Jo Smith"; anything else as written. */
export function authorName(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const m = /^\S+@\S+\s*\((.+)\)$/.exec(input.trim());
  const name = htmlToText(m ? m[1]! : input);
  return name === '' ? undefined : name;
}

/** The Media RSS `media:title` of an item or of its first `media:group`. */
export function mediaTitle(el: XmlElement): string | undefined {
  const group = child(el, [MEDIA, 'group']);
  return textChild(el, [MEDIA, 'title']) ?? (group && textChild(group, [MEDIA, 'title']));
}

/** The Media RSS `media:description` of an item or of its first `media:group`. */
export function mediaDescription(el: XmlElement): string | undefined {
  const group = child(el, [MEDIA, 'group']);
  return textChild(el, [MEDIA, 'description']) ?? (group && textChild(group, [MEDIA, 'description']));
}

/** An image URL from `itunes:image`, Media RSS thumbnails or image-medium content, resolved. */
export function extensionImage(el: XmlElement): string | undefined {
  const it = child(el, [ITUNES, 'image']);
  const href = it ? (attr(it, 'href') ?? textOf(it)) : undefined;
  if (it && href?.trim()) return resolveHttpUrl(href, it.base);
  const holders = [el, ...children(el, [MEDIA, 'group']), ...children(el, [MEDIA, 'content'])];
  for (const h of holders) {
    const th = child(h, [MEDIA, 'thumbnail']);
    const u = th && attr(th, 'url');
    if (th && u) return resolveHttpUrl(u, th.base);
  }
  for (const m of children(el, [MEDIA, 'content'])) {
    const u = attr(m, 'url');
    if (attr(m, 'medium') === 'image' && u) return resolveHttpUrl(u, m.base);
  }
  return undefined;
}

function parseItem(el: XmlElement): FeedItem {
  const rawTitle =
    textChild(el, [RSS, 'title']) ??
    textChild(el, [ITUNES, 'title']) ??
    textChild(el, [DC, 'title']) ??
    mediaTitle(el);
  const guidEl = child(el, [RSS, 'guid']);
  const guid = (guidEl ? textOf(guidEl) : undefined) ?? attr(el, [RDF, 'about']) ?? '';
  const item: FeedItem = { guid, guidDerived: false, title: htmlToText(rawTitle ?? ''), enclosures: [] };
  let link = urlChild(el, [RSS, 'link']);
  if (!link && guidEl && attr(guidEl, 'isPermaLink') !== 'false' && isHttpUrl(guid.trim())) {
    link = resolveHttpUrl(guid, guidEl.base);
  }
  const description =
    markupChild(el, [RSS, 'description']) ??
    textChild(el, [ITUNES, 'summary']) ??
    textChild(el, [ITUNES, 'subtitle']) ??
    mediaDescription(el);
  const content = markupChild(el, [CONTENT, 'encoded']);
  const author =
    textChild(el, [RSS, 'author']) ?? textChild(el, [DC, 'creator']) ?? textChild(el, [ITUNES, 'author']);
  setDefined(item, {
    link,
    description,
    descriptionText: htmlToText(description ?? content ?? ''),
    content,
    published: parseDate(textChild(el, [RSS, 'pubDate'])) ?? parseDate(textChild(el, [DC, 'date'])),
    author: authorName(author),
    duration: parseDuration(textChild(el, [ITUNES, 'duration'])),
    image: extensionImage(el),
    ...podcastLinks(el),
  });
  item.enclosures = extensionEnclosures(el, { rssEnclosures: true });
  return item;
}

function channelImage(channel: XmlElement, root: XmlElement): string | undefined {
  // RSS 2.0 nests <image> in <channel>; RSS 1.0 puts it beside the channel (which only refers to it).
  for (const img of [...children(channel, [RSS, 'image']), ...children(root, [RSS, 'image'])]) {
    const url = urlChild(img, [RSS, 'url']);
    if (url) return url;
  }
  return extensionImage(channel);
}

/** Parse an `<rss>` or `<rdf:RDF>` root element into a Feed. */
export function parseRss(root: XmlElement): Feed {
  const rdf = root.ns === RDF;
  const channel = child(root, [RSS, 'channel']);
  if (!channel) throw new SeedcastError('FEED_INVALID', `<${root.qname}> without a <channel>`);
  const rss090 = channel.ns === RSS[2];
  const version = rdf ? (rss090 ? '0.90' : '1.0') : (attr(root, 'version') ?? '2.0');
  const feed: Feed = {
    format: rdf ? 'rdf' : 'rss',
    version: version.trim(),
    title: htmlToText(
      textChild(channel, [RSS, 'title']) ??
        textChild(channel, [ITUNES, 'title']) ??
        textChild(channel, [DC, 'title']) ??
        '',
    ),
    items: [],
  };
  const description =
    markupChild(channel, [RSS, 'description']) ??
    textChild(channel, [ITUNES, 'summary']) ??
    textChild(channel, [ITUNES, 'subtitle']);
  const author =
    textChild(channel, [ITUNES, 'author']) ??
    textChild(channel, [RSS, 'managingEditor']) ??
    textChild(channel, [DC, 'creator']) ??
    textChild(channel, [RSS, 'author']);
  setDefined(feed, {
    link: urlChild(channel, [RSS, 'link']),
    description,
    descriptionText: htmlToText(description ?? ''),
    image: channelImage(channel, root),
    language: textChild(channel, [RSS, 'language']) ?? textChild(channel, [DC, 'language']),
    author: authorName(author),
    ttl: parseMinutes(textChild(channel, [RSS, 'ttl'])),
    updateInterval: updateInterval(
      textChild(channel, [SY, 'updatePeriod']),
      textChild(channel, [SY, 'updateFrequency']),
    ),
  });
  const itemEls = [...children(channel, [RSS, 'item']), ...children(root, [RSS, 'item'])];
  feed.items = finishItems(itemEls.map(parseItem));
  return feed;
}
