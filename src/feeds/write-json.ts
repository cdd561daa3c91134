/**
 * JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): items with `content_text` (the description
 * as plain text) and `content_html` (rendered from its Markdown), the media file as the first attachment (the `.torrent` first in the torrent form;
 * the original beside it when the media file is a derivative), tags, authors, and the site's
 * `_seedcast` extension (magnet, info-hash-free links, licence, caption files, chapters).
 * `<`, `>` and `&` are written as `\u` escapes, so the document is safe even if shown inline.
 */

import { declaredJson, type FeedEntry, type FeedInfo } from './entry.js';
import type { EnclosureForm } from './write-rss.js';

const TORRENT_TYPE = 'application/x-bittorrent';

function item(e: FeedEntry, form: EnclosureForm) {
  const media = e.media
    ? {
        url: e.media.url,
        mime_type: e.media.type,
        size_in_bytes: e.media.length,
        ...(e.durationSeconds !== null ? { duration_in_seconds: e.durationSeconds } : {}),
      }
    : null;
  const torrent = e.torrent
    ? { url: e.torrent.url, mime_type: TORRENT_TYPE, size_in_bytes: e.torrent.length, title: 'BitTorrent' }
    : null;
  // The original too, when the media attachment is a derivative (issue 18).
  const original =
    e.original && e.media && e.original.url !== e.media.url
      ? {
          url: e.original.url,
          mime_type: e.original.type,
          size_in_bytes: e.original.length,
          title: 'Original',
        }
      : null;
  const attachments = (
    form === 'torrent' || !media ? [torrent, media, original] : [media, original, torrent]
  ).filter((a) => a !== null);
  return {
    id: e.link,
    url: e.link,
    title: e.title,
    content_text: e.summary,
    content_html: e.html,
    ...(e.thumbnail ? { image: e.thumbnail } : {}),
    date_published: e.published.toISOString(),
    date_modified: e.updated.toISOString(),
    authors: [{ name: e.author }],
    ...(e.tags.length > 0 ? { tags: e.tags } : {}),
    ...(e.language ? { language: e.language } : {}),
    ...declaredJson(e, false),
    attachments,
    _seedcast: {
      magnet: e.magnet,
      torrent: e.torrent?.url ?? null,
      license: e.license?.url ?? null,
      embed: e.embed,
      transcripts: e.transcripts.map((t) => ({
        url: t.url,
        language: t.language,
        type: 'text/vtt',
        label: t.label,
      })),
      chapters: e.chapters,
      ...declaredJson(e, true), // series, episode... (catalog/item-fields.ts)
    },
  };
}

/** The JSON Feed document for `entries` (newest first). */
export function renderJsonFeed(info: FeedInfo, entries: FeedEntry[], form: EnclosureForm = 'media'): string {
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: info.title,
    home_page_url: info.link,
    feed_url: info.self,
    description: info.description,
    authors: [{ name: info.author }],
    ...(info.image ? { icon: info.image, favicon: info.image } : {}),
    ...(info.language ? { language: info.language } : {}),
    items: entries.map((e) => item(e, form)),
  };
  return `${JSON.stringify(doc, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
