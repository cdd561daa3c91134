/**
 * oEmbed 1.0 (https://oembed.com/): for an item page URL of this site, a `video` (video items),
 * `rich` (audio and other playable items), `photo` (images of known size) or `link` answer whose
 * `html` is an iframe of the item's embed page (`/items/:id/embed`). Sizes honour `maxwidth` and
 * `maxheight`. JSON or XML (`format=xml`).
 */

import type { FeedEntry } from './entry.js';
import { el, escapeAttr, renderXml } from './xml-write.js';

export interface OembedAnswer {
  [key: string]: string | number;
}

/** The item id in `url` when it is an item page (or embed page) on the site at `root`; else null. */
export function itemIdFromUrl(url: string, root: string): number | null {
  let u: URL;
  let r: URL;
  try {
    u = new URL(url);
    r = new URL(root);
  } catch {
    return null;
  }
  if (u.origin !== r.origin) return null;
  const prefix = r.pathname.replace(/\/+$/, '');
  const m = /^\/items\/([1-9][0-9]{0,15})(?:\/embed)?\/?$/.exec(u.pathname.slice(prefix.length));
  if (!u.pathname.startsWith(`${prefix}/`) || !m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : null;
}

function fit(width: number, height: number, maxWidth?: number, maxHeight?: number): [number, number] {
  let scale = 1;
  if (maxWidth && width > maxWidth) scale = Math.min(scale, maxWidth / width);
  if (maxHeight && height > maxHeight) scale = Math.min(scale, maxHeight / height);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

export function oembedFor(
  e: FeedEntry,
  site: { name: string; url: string; authorUrl: string },
  max: { width?: number; height?: number } = {},
): OembedAnswer {
  const base: OembedAnswer = {
    version: '1.0',
    title: e.title,
    author_name: e.author,
    author_url: site.authorUrl,
    provider_name: site.name,
    provider_url: site.url,
    cache_age: 3600,
  };
  if (e.thumbnail) base.thumbnail_url = e.thumbnail;
  const playable = e.media && (e.media.type.startsWith('video/') || e.media.type.startsWith('audio/'));
  if (e.media?.type.startsWith('image/') && e.width && e.height) {
    const [width, height] = fit(e.width, e.height, max.width, max.height);
    return { ...base, type: 'photo', url: e.media.url, width, height };
  }
  if (!playable && !e.media?.type.startsWith('image/')) return { ...base, type: 'link' };
  const isVideo = e.media!.type.startsWith('video/');
  const [width, height] = isVideo
    ? fit(e.width ?? 640, e.height ?? 360, max.width, max.height)
    : e.media!.type.startsWith('image/')
      ? fit(640, 480, max.width, max.height)
      : fit(480, 80, max.width, max.height);
  const html = `<iframe src="${escapeAttr(e.embed)}" width="${width}" height="${height}" title="${escapeAttr(e.title)}" frameborder="0" allow="fullscreen" allowfullscreen></iframe>`;
  return { ...base, type: isVideo ? 'video' : 'rich', html, width, height };
}

/** The XML form of an oEmbed answer. */
export function oembedXml(answer: OembedAnswer): string {
  return renderXml(
    el(
      'oembed',
      {},
      Object.entries(answer).map(([k, v]) => el(k, {}, String(v))),
    ),
  );
}
