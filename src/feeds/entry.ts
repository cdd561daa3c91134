/**
 * What every feed format says about an item, computed once from the catalog: links (page, `.torrent`,
 * magnet, file URLs, embed), the media file podcast apps download (the first audio or video file
 * stored on the site, else the largest stored file; replaced by the best derivative when that file
 * does not play everywhere: `entry-enclosure.ts`), the other renditions, captions and chapters (issue 18),
 * the licence as its canonical id and a URL, the description three ways (the publisher's Markdown,
 * safe HTML, plain text), and the times. Transport-free: the route resolves owner names,
 * channels, torrent sizes, media views and captions and passes them in.
 */

import {
  type Channel,
  FEED_NAMESPACES,
  type FeedElement,
  ITEM_FIELDS,
  type Item,
  type ItemFieldSpec,
  type SiteLinks,
} from '../catalog/index.js';
import { licenseInfo } from '../licenses.js';
import { markdownHtml, markdownText } from '../markdown.js';
// past media's index: the aggregator loads `feeds` for its parsers, and must not load the media pipeline
import { contentTypeOf } from '../media/content-types.js';
import type { CaptionView, ItemMediaView } from '../media/index.js';
import {
  bestDerivative,
  derivativeAlternates,
  derivativeFile,
  type FeedAlternate,
  originalPlaysEverywhere,
} from './entry-enclosure.js';
import { el, type XmlOut } from './xml-write.js';

export interface FeedFile {
  url: string;
  /** MIME type without parameters. */
  type: string;
  length: number;
  path: string;
  /** SHA-256, hex, when known. */
  sha256: string | null;
  /** SHA-384 in Subresource Integrity form (`sha384-<base64>`), when known. */
  integrity?: string | null;
}

export interface FeedEntry {
  id: number;
  title: string;
  /** The description as the publisher wrote it (Markdown). */
  description: string;
  /** The description rendered: safe HTML from its Markdown (`content:encoded`, `content_html`). */
  html: string;
  /** The description as plain text, the Markdown syntax dropped (`description`, `itunes:summary`). */
  summary: string;
  /** The item's page; also its stable guid. */
  link: string;
  published: Date;
  updated: Date;
  /** The creator the publisher named, else the owner's username. */
  author: string;
  owner: string;
  channel: Channel | null;
  tags: string[];
  language: string | null;
  /**
   * The declared fields (`src/catalog/item-fields.ts`) the writers do not place themselves, with a
   * value: each format writes their declared elements (`declaredXml`, `declaredJson`).
   */
  declared: DeclaredValue[];
  license: { id: string; url: string } | null;
  mediaType: Item['mediaType'];
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  /** The file served over HTTP that podcast apps download; null when no file is stored here. */
  media: FeedFile | null;
  /** The original media file (the same as `media` unless a derivative plays in more places). */
  original: FeedFile | null;
  /** The derivatives' renditions (audio, video) as alternate enclosures, `media`'s twin first. */
  alternates: FeedAlternate[];
  /** Caption files (WebVTT), as `podcast:transcript`. */
  transcripts: CaptionView[];
  /** The podcast JSON chapters' URL, when the item has chapters. */
  chapters: string | null;
  files: FeedFile[];
  torrent: { url: string; length: number } | null;
  magnet: string | null;
  thumbnail: string | null;
  embed: string;
}

export interface EntryContext {
  links: SiteLinks;
  ownerName(ownerId: number): string;
  channel(channelId: number): Channel | undefined;
  /** Size of the item's `.torrent` in bytes, when it has one. */
  torrentLength(itemId: number): number | undefined;
  /** The thumbnail's URL, when the site serves one for this item. */
  thumbnail?(item: Item): string | null;
  /** The item's derivatives (issue 18), when the site makes them. */
  mediaView?(itemId: number): ItemMediaView | undefined;
  /** The item's captions, when the site keeps them. */
  captions?(itemId: number): CaptionView[];
  /** The item's chapters URL, when it has chapters. */
  chapters?(itemId: number): string | null;
}

/**
 * A licence as its canonical id and its link (the Creative Commons deed, else its SPDX page); null
 * without one, or for a stored value outside the licence table that has no link.
 */
export function licenseOf(license: string | null): { id: string; url: string } | null {
  const info = licenseInfo(license);
  return info?.url ? { id: info.id, url: info.url } : null;
}

const bareType = (path: string) => contentTypeOf(path).split(';')[0]!.trim();

function pickMedia(files: FeedFile[]): FeedFile | null {
  const by = (prefix: string) =>
    files.filter((f) => f.type.startsWith(prefix)).sort((a, b) => b.length - a.length)[0];
  return (
    by('audio/') ?? by('video/') ?? by('image/') ?? [...files].sort((a, b) => b.length - a.length)[0] ?? null
  );
}

export function toEntry(item: Item, ctx: EntryContext): FeedEntry {
  const { links } = ctx;
  const stored = item.files.filter((f) => f.blobKey !== null);
  const files: FeedFile[] = stored.map((f) => ({
    url: links.file(item.id, f.path),
    type: bareType(f.path),
    length: f.length,
    path: f.path,
    sha256: f.sha256,
    integrity: f.integrity ?? null,
  }));
  // Audio before video only matters for items that hold both; the item's own kind decides first.
  const ofKind = files.filter((f) => f.type.startsWith(`${item.mediaType}/`));
  const original = pickMedia(ofKind.length > 0 ? ofKind : files);
  // The most compatible playable file: the original when it plays everywhere, else a derivative.
  const view = ctx.mediaView?.(item.id);
  const derivative =
    original && !originalPlaysEverywhere(original, item, view)
      ? bestDerivative(item.mediaType, view)
      : undefined;
  const media = derivative ? derivativeFile(derivative) : original;
  const torrentLength = item.torrentKey ? ctx.torrentLength(item.id) : undefined;
  const magnet = links.magnet(item) ?? null;
  const owner = ctx.ownerName(item.ownerId);
  return {
    id: item.id,
    title: item.title,
    description: item.description,
    html: markdownHtml(item.description),
    summary: markdownText(item.description),
    link: links.itemPage(item.id),
    published: new Date(item.createdAt),
    updated: new Date(item.updatedAt),
    author: item.creator.trim() || owner,
    owner,
    channel: item.channelId === null ? null : (ctx.channel(item.channelId) ?? null),
    tags: item.tags,
    language: item.language,
    declared: declaredValues(item),
    license: licenseOf(item.license),
    mediaType: item.mediaType,
    durationSeconds: item.durationMs === null ? null : Math.round(item.durationMs / 1000),
    width: item.width,
    height: item.height,
    media,
    original,
    alternates: derivativeAlternates(view, derivative),
    transcripts: ctx.captions?.(item.id) ?? [],
    chapters: ctx.chapters?.(item.id) ?? null,
    files,
    torrent: torrentLength !== undefined ? { url: links.torrent(item.id), length: torrentLength } : null,
    magnet,
    thumbnail: ctx.thumbnail?.(item) ?? null,
    embed: `${links.itemPage(item.id)}/embed`,
  };
}

/** A declared field's value in an entry. */
export interface DeclaredValue {
  spec: ItemFieldSpec;
  value: string | number;
}

const GENERIC: readonly ItemFieldSpec[] = ITEM_FIELDS.filter((f: ItemFieldSpec) => !f.feeds.written);

function declaredValues(item: Item): DeclaredValue[] {
  return GENERIC.flatMap((spec) => {
    const value = (item as unknown as Record<string, string | number | null>)[spec.name];
    return value === null || value === undefined || value === '' ? [] : [{ spec, value }];
  });
}

function xmlElement(e: FeedElement, value: string | number): XmlOut {
  return e.attr ? el(e.element, { [e.attr]: value }) : el(e.element, {}, value);
}

/** The declared fields' elements of an RSS item or Atom entry. */
export function declaredXml(entry: FeedEntry, format: 'rss' | 'atom'): XmlOut[] {
  return entry.declared.flatMap((d) => (d.spec.feeds[format] ?? []).map((x) => xmlElement(x, d.value)));
}

/** `xmlns:` attributes for the prefixes the declared fields use in `format` but `known` lacks. */
export function declaredNamespaces(
  format: 'rss' | 'atom',
  known: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of GENERIC)
    for (const x of f.feeds[format] ?? []) {
      const prefix = x.element.includes(':') ? x.element.split(':')[0]! : undefined;
      const uri = prefix ? FEED_NAMESPACES[prefix] : undefined;
      if (prefix && uri && !known[`xmlns:${prefix}`]) out[`xmlns:${prefix}`] = uri;
    }
  return out;
}

/** The declared fields' JSON Feed keys: top level, or in the `_seedcast` extension. */
export function declaredJson(entry: FeedEntry, extension: boolean): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const d of entry.declared) {
    const json = d.spec.feeds.json;
    if (json && (json.extension ?? false) === extension) out[json.key] = d.value;
  }
  return out;
}

/** Dublin Core elements (OAI-PMH's `oai_dc`) with the declared fields' added (a series as `relation`). */
export function declaredDc(entry: FeedEntry, fields: Record<string, string[]>): Record<string, string[]> {
  const out = { ...fields };
  for (const d of entry.declared)
    if (d.spec.dc) out[d.spec.dc.element] = [...(out[d.spec.dc.element] ?? []), String(d.value)];
  return out;
}

/** Escapes text for HTML: plain text that stays text wherever a reader takes it as HTML. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes text for HTML and keeps its line breaks: the HTML form of a plain-text description. */
export function textToHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>\n');
}

/** What a feed as a whole says about itself. */
export interface FeedInfo {
  title: string;
  description: string;
  /** The HTML page this feed follows. */
  link: string;
  /** This feed's own URL (as requested, with its query). */
  self: string;
  /** The site's root URL. */
  site: string;
  language: string | null;
  author: string;
  /** Newest `updated` among the entries, or null for an empty feed. */
  updated: Date | null;
  /** URLs of the same feed in the other formats. */
  alternates: { rss: string; atom: string; json: string };
  /** The feed's image (a channel's avatar), absolute, when it has one. */
  image?: string;
  /** The iTunes category, `A` or `A > B` (a channel's; default `Society & Culture`). */
  category?: string;
  /** The `podcast:medium` (a channel's), when known. */
  medium?: string;
  /** The URL the `podcast:guid` is made from (default `self`): a channel's own RSS feed. */
  guidUrl?: string;
}
