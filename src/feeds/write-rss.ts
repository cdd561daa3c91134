/**
 * RSS 2.0 with the iTunes podcast tags (a channel's `itunes:image` and nested `itunes:category`), the
 * podcast namespace 1.0 (`podcast:guid`, `podcast:medium`,
 * `podcast:alternateEnclosure` + `podcast:source` + `podcast:integrity`, `podcast:license`,
 * `podcast:transcript` for each caption file, `podcast:chapters`), Media
 * RSS 1.5 (`media:content`, `media:thumbnail`, `media:license`), Dublin Core `dc:creator` and an
 * Atom `rel="self"` link (RFC 4287, as the RSS Advisory Board recommends). An item's description
 * (Markdown) is HTML in `content:encoded` (the RSS content module) and plain text in
 * `itunes:summary` and in `description` (there escaped, since readers take `description` as HTML:
 * a `<script>` the publisher typed stays text).
 *
 * Two forms (CONTRACT.md "Feeds"):
 *  - default: the `<enclosure>` is the media file over HTTP (exact length and type), so every podcast
 *    app plays it; the swarm is offered beside it (`.torrent` and magnet as alternateEnclosure
 *    sources, the `.torrent` as a Media RSS content);
 *  - `torrent` (`?enclosure=torrent`, as Broadcast Machine and Miro published): the `<enclosure>` is
 *    the `.torrent` (`application/x-bittorrent`); the HTTP file becomes the alternate.
 * An item with no file stored on the site (torrent-only, not archived) has the `.torrent` as its
 * enclosure in both forms. When the original does not play everywhere, the media enclosure is the
 * best derivative (`entry-enclosure.ts`); the original (with its swarm) and every other rendition (with the
 * derivatives torrent) are alternate enclosures, with their SHA-384 when known.
 */

import { createHash } from 'node:crypto';
import type { FeedEntry, FeedInfo } from './entry.js';
import { declaredNamespaces, declaredXml, escapeHtml } from './entry.js';
import type { FeedAlternate } from './entry-enclosure.js';
import { el, renderXml, type XmlOut } from './xml-write.js';

export type EnclosureForm = 'media' | 'torrent';

const NS = {
  'xmlns:atom': 'http://www.w3.org/2005/Atom',
  'xmlns:itunes': 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  'xmlns:podcast': 'https://podcastindex.org/namespace/1.0',
  'xmlns:media': 'http://search.yahoo.com/mrss/',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
};

const TORRENT_TYPE = 'application/x-bittorrent';

/** The podcast namespace's channel guid: a UUIDv5 of the feed URL without its scheme. */
export function podcastGuid(feedUrl: string): string {
  const ns = Buffer.from('ead4c236bf5858c6a2c6a6b28d128cb6', 'hex');
  const name = feedUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `A > B` as nested `itunes:category` elements (Apple's form); `Society & Culture` by default. */
export function itunesCategory(category: string | undefined): XmlOut {
  const [top, sub] = (category?.trim() || 'Society & Culture').split('>').map((p) => p.trim());
  return el('itunes:category', { text: top }, sub ? el('itunes:category', { text: sub }) : null);
}

/** RFC 822 date, as RSS 2.0 wants it (`Sat, 15 Feb 2025 12:00:00 GMT`). */
export const rfc822 = (d: Date) => d.toUTCString();

/** Subresource Integrity form of a hex SHA-256 (`sha256-<base64>`). */
const sri = (hex: string) => `sha256-${Buffer.from(hex, 'hex').toString('base64')}`;

function medium(e: FeedEntry): string | undefined {
  return ['video', 'audio', 'image'].includes(e.mediaType)
    ? e.mediaType
    : e.mediaType === 'text'
      ? 'document'
      : undefined;
}

/** A rendition as `podcast:alternateEnclosure` with its sources and integrity. */
function alternateOf(a: FeedAlternate): XmlOut {
  return el(
    'podcast:alternateEnclosure',
    {
      type: a.type,
      length: a.length,
      bitrate: a.bitrate,
      height: a.height,
      title: a.title,
      default: a.isDefault ? 'true' : undefined,
    },
    a.sources.map((s) => el('podcast:source', { uri: s.uri, contentType: s.contentType })),
    a.integrity ? el('podcast:integrity', { type: 'sri', value: a.integrity }) : null,
  );
}

function item(e: FeedEntry, form: EnclosureForm): XmlOut {
  const torrentFirst = form === 'torrent' || !e.media;
  const enclosure =
    torrentFirst && e.torrent
      ? el('enclosure', { url: e.torrent.url, length: e.torrent.length, type: TORRENT_TYPE })
      : e.media
        ? el('enclosure', { url: e.media.url, length: e.media.length, type: e.media.type })
        : null;
  // The original's alternate: the same file reached another way (the swarm, or HTTP when it is not
  // the enclosure: the torrent form, or a derivative enclosure).
  const original = e.original ?? e.media;
  const derived = original !== null && e.media !== null && original.url !== e.media.url;
  const sources = [
    (torrentFirst || derived) && original ? el('podcast:source', { uri: original.url }) : null,
    !torrentFirst && e.torrent
      ? el('podcast:source', { uri: e.torrent.url, contentType: TORRENT_TYPE })
      : null,
    e.magnet ? el('podcast:source', { uri: e.magnet }) : null,
  ];
  const integrity = original?.integrity
    ? original.integrity
    : original?.sha256
      ? sri(original.sha256)
      : undefined;
  const alternate = sources.some(Boolean)
    ? el(
        'podcast:alternateEnclosure',
        {
          type: original?.type ?? 'application/octet-stream',
          length: original?.length,
          title: derived ? 'Original' : 'BitTorrent',
        },
        ...sources,
        integrity ? el('podcast:integrity', { type: 'sri', value: integrity }) : null,
      )
    : null;
  return el(
    'item',
    {},
    el('title', {}, e.title),
    el('link', {}, e.link),
    el('guid', { isPermaLink: 'true' }, e.link),
    el('pubDate', {}, rfc822(e.published)),
    el('dc:creator', {}, e.author),
    el('description', {}, escapeHtml(e.summary)),
    e.html ? el('content:encoded', {}, e.html) : null,
    e.tags.map((t) => el('category', {}, t)),
    enclosure,
    el('itunes:author', {}, e.author),
    el('itunes:summary', {}, e.summary),
    e.durationSeconds !== null ? el('itunes:duration', {}, e.durationSeconds) : null,
    e.thumbnail ? el('itunes:image', { href: e.thumbnail }) : null,
    el('itunes:explicit', {}, 'false'),
    declaredXml(e, 'rss'), // itunes:episode, podcast:episode, dcterms:isPartOf... (catalog/item-fields.ts)
    alternate,
    e.alternates.map(alternateOf),
    e.transcripts.map((t) =>
      el('podcast:transcript', { url: t.url, type: 'text/vtt', language: t.language, rel: 'captions' }),
    ),
    e.chapters ? el('podcast:chapters', { url: e.chapters, type: 'application/json+chapters' }) : null,
    e.license ? el('podcast:license', { url: e.license.url }, e.license.id) : null,
    e.media
      ? el('media:content', {
          url: e.media.url,
          type: e.media.type,
          fileSize: e.media.length,
          medium: medium(e),
          duration: e.durationSeconds ?? undefined,
          width: e.width ?? undefined,
          height: e.height ?? undefined,
          isDefault: 'true',
        })
      : null,
    e.torrent
      ? el('media:content', {
          url: e.torrent.url,
          type: TORRENT_TYPE,
          fileSize: e.torrent.length,
          medium: medium(e),
        })
      : null,
    e.thumbnail ? el('media:thumbnail', { url: e.thumbnail }) : null,
    e.license ? el('media:license', { type: 'text/html', href: e.license.url }, e.license.id) : null,
    e.tags.length > 0 ? el('media:keywords', {}, e.tags.join(', ')) : null,
  );
}

/** The RSS 2.0 document for `entries` (newest first). */
export function renderRss(info: FeedInfo, entries: FeedEntry[], form: EnclosureForm = 'media'): string {
  const channel = el(
    'channel',
    {},
    el('title', {}, info.title),
    el('link', {}, info.link),
    el('atom:link', { href: info.self, rel: 'self', type: 'application/rss+xml' }),
    el('description', {}, info.description),
    info.language ? el('language', {}, info.language) : null,
    el('generator', {}, 'Seedcast'),
    el('docs', {}, 'https://www.rssboard.org/rss-specification'),
    info.updated ? el('lastBuildDate', {}, rfc822(info.updated)) : null,
    info.image
      ? el('image', {}, el('url', {}, info.image), el('title', {}, info.title), el('link', {}, info.link))
      : null,
    el('itunes:author', {}, info.author),
    el('itunes:summary', {}, info.description),
    info.image ? el('itunes:image', { href: info.image }) : null,
    itunesCategory(info.category),
    el('itunes:explicit', {}, 'false'),
    el('podcast:guid', {}, podcastGuid(info.guidUrl ?? info.self)),
    info.medium ? el('podcast:medium', {}, info.medium) : null,
    entries.map((e) => item(e, form)),
  );
  return renderXml(el('rss', { version: '2.0', ...NS, ...declaredNamespaces('rss', NS) }, channel));
}
