/**
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into a `Feed`: `author` (1.0) and `authors`
 * (1.1), `attachments` as enclosures (a `.torrent` or magnet attachment is recognised like any other
 * enclosure), relative URLs resolved against the feed URL. Values of the wrong JSON type are ignored, not
 * trusted: a feed is untrusted input.
 */

import { SeedcastError } from '../errors.js';
import { parseDate } from './dates.js';
import { makeEnclosure } from './enclosures.js';
import { finishItems, setDefined } from './items.js';
import { collapseWhitespace, htmlToText } from './text.js';
import type { Enclosure, Feed, FeedItem } from './types.js';
import { resolveHttpUrl } from './urls.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function url(v: unknown, base: string): string | undefined {
  return typeof v === 'string' ? resolveHttpUrl(v, base) : undefined;
}

function authors(o: Json): string | undefined {
  const list = Array.isArray(o.authors) ? o.authors : o.author !== undefined ? [o.author] : [];
  const names = list.map((a) => str(obj(a)?.name)).filter((n): n is string => n !== undefined);
  return names.length > 0 ? names.map(collapseWhitespace).join(', ') : undefined;
}

function attachments(v: unknown, base: string): Enclosure[] {
  if (!Array.isArray(v)) return [];
  const out: Enclosure[] = [];
  for (const a of v) {
    const o = obj(a);
    if (!o) continue;
    const size = o.size_in_bytes;
    const duration = o.duration_in_seconds;
    const enc = makeEnclosure(typeof o.url === 'string' ? o.url : undefined, base, {
      source: 'json-attachment',
      type: str(o.mime_type),
      length: typeof size === 'number' ? size : undefined,
      title: str(o.title),
      duration: typeof duration === 'number' && duration > 0 ? duration : undefined,
    });
    if (enc) out.push(enc);
  }
  return out;
}

function parseItem(o: Json, base: string, feedAuthor: string | undefined): FeedItem {
  const item: FeedItem = {
    guid: str(o.id) ?? '',
    guidDerived: false,
    title: htmlToText(str(o.title) ?? ''),
    enclosures: attachments(o.attachments, base),
  };
  const summary = str(o.summary);
  const html = str(o.content_html);
  const text = str(o.content_text);
  const updated = parseDate(str(o.date_modified));
  setDefined(item, {
    link: url(o.url, base) ?? url(o.external_url, base),
    description: summary,
    descriptionText: summary
      ? htmlToText(summary)
      : (text && collapseWhitespace(text)) || htmlToText(html ?? ''),
    content: html ?? text,
    published: parseDate(str(o.date_published)) ?? updated,
    updated,
    author: authors(o) ?? feedAuthor,
    image: url(o.image, base) ?? url(o.banner_image, base),
  });
  return item;
}

/** Parse a decoded JSON value (the document root) into a Feed. */
export function parseJsonFeed(doc: unknown, feedUrl: string): Feed {
  const o = obj(doc);
  const version = str(o?.version);
  if (!o || !(version?.includes('jsonfeed.org/version/') || Array.isArray(o.items))) {
    throw new SeedcastError('FEED_INVALID', 'JSON, but not a JSON Feed (no jsonfeed.org version)');
  }
  const feed: Feed = {
    format: 'json',
    version: version?.replace(/^.*\/version\//, '') ?? 'unknown',
    title: htmlToText(str(o.title) ?? ''),
    items: [],
  };
  const description = str(o.description);
  const author = authors(o);
  setDefined(feed, {
    link: url(o.home_page_url, feedUrl),
    description,
    descriptionText: description && htmlToText(description),
    image: url(o.icon, feedUrl) ?? url(o.favicon, feedUrl),
    language: str(o.language),
    author,
  });
  const items = Array.isArray(o.items) ? o.items : [];
  feed.items = finishItems(
    items
      .map(obj)
      .filter((x): x is Json => x !== undefined)
      .map((i) => parseItem(i, feedUrl, author)),
  );
  return feed;
}
