/**
 * Atom 1.0 (RFC 4287): one `<entry>` per item with its page as `rel="alternate"` and id, the media
 * file as `rel="enclosure"` (or the `.torrent` first in the torrent form, as in RSS), the other one
 * as a second enclosure link (and the original when the media file is a derivative), caption files
 * as `rel="related"` `text/vtt` links, the licence as `rel="license"` (RFC 4946) and Media RSS thumbnails.
 * Text constructs are `type="text"` (escaped user text): the description as plain text in
 * `<summary>`; its HTML, rendered from its Markdown, in `<content type="html">`.
 */

import { declaredNamespaces, declaredXml, type FeedEntry, type FeedInfo } from './entry.js';
import type { EnclosureForm } from './write-rss.js';
import { el, renderXml, type XmlOut } from './xml-write.js';

const TORRENT_TYPE = 'application/x-bittorrent';

function entry(e: FeedEntry, form: EnclosureForm): XmlOut {
  const media = e.media
    ? el('link', { rel: 'enclosure', href: e.media.url, type: e.media.type, length: e.media.length })
    : null;
  const torrent = e.torrent
    ? el('link', { rel: 'enclosure', href: e.torrent.url, type: TORRENT_TYPE, length: e.torrent.length })
    : null;
  // The original too, when the media enclosure is a derivative (issue 18).
  const original =
    e.original && e.media && e.original.url !== e.media.url
      ? el('link', {
          rel: 'enclosure',
          href: e.original.url,
          type: e.original.type,
          length: e.original.length,
        })
      : null;
  const enclosures = form === 'torrent' || !media ? [torrent, media, original] : [media, original, torrent];
  return el(
    'entry',
    {},
    el('title', { type: 'text' }, e.title),
    el('id', {}, e.link),
    el('link', { rel: 'alternate', type: 'text/html', href: e.link }),
    enclosures,
    e.license ? el('link', { rel: 'license', href: e.license.url }) : null,
    e.transcripts.map((t) =>
      el('link', { rel: 'related', type: 'text/vtt', hreflang: t.language, title: t.label, href: t.url }),
    ),
    el('published', {}, e.published.toISOString()),
    el('updated', {}, e.updated.toISOString()),
    el('author', {}, el('name', {}, e.author)),
    e.tags.map((t) => el('category', { term: t })),
    declaredXml(e, 'atom'), // dcterms:isPartOf... (catalog/item-fields.ts)
    el('summary', { type: 'text' }, e.summary),
    el('content', { type: 'html' }, e.html),
    e.thumbnail ? el('media:thumbnail', { url: e.thumbnail }) : null,
  );
}

/** The Atom document for `entries` (newest first). */
export function renderAtom(info: FeedInfo, entries: FeedEntry[], form: EnclosureForm = 'media'): string {
  const ns = { xmlns: 'http://www.w3.org/2005/Atom', 'xmlns:media': 'http://search.yahoo.com/mrss/' };
  const feed = el(
    'feed',
    { ...ns, ...declaredNamespaces('atom', ns), 'xml:lang': info.language ?? undefined },
    el('title', { type: 'text' }, info.title),
    el('subtitle', { type: 'text' }, info.description),
    el('id', {}, info.self),
    el('link', { rel: 'self', type: 'application/atom+xml', href: info.self }),
    el('link', { rel: 'alternate', type: 'text/html', href: info.link }),
    // RFC 4287 requires <updated>; an empty feed has no newer date than the epoch.
    el('updated', {}, (info.updated ?? new Date(0)).toISOString()),
    el('author', {}, el('name', {}, info.author)),
    el('generator', {}, 'Seedcast'),
    info.image ? el('icon', {}, info.image) : null,
    info.image ? el('logo', {}, info.image) : null,
    entries.map((e) => entry(e, form)),
  );
  return renderXml(feed);
}
