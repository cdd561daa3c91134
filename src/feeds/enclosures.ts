/**
 * Enclosures in XML feeds: RSS 2.0 `<enclosure>`, Media RSS 1.5 `<media:content>` and `<media:peerLink>`
 * (alone or in `<media:group>`), and podcast namespace 1.0 `<podcast:alternateEnclosure>` with its `<podcast:source>`s and
 * `<podcast:integrity>`. URLs are resolved against the element's xml:base (which defaults to the feed URL);
 * anything that is not HTTP(S), a `.torrent` or a magnet link is left out.
 */

import { MEDIA, PODCAST, RSS } from './namespaces.js';
import type { Enclosure, EnclosureSource, Integrity } from './types.js';
import { enclosureKind, resolveUrl } from './urls.js';
import { attr, children, type XmlElement } from './xml-read.js';

/** A non-negative integer byte count, or undefined (feeds write `0`, `-1`, `""` or `12,345` for unknown). */
export function parseLength(input: string | number | undefined): number | undefined {
  if (input === undefined) return undefined;
  const n = typeof input === 'number' ? input : Number(input.trim().replace(/,/g, ''));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function mimeType(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const semi = input.indexOf(';');
  const t = (semi < 0 ? input : input.slice(0, semi)).trim().toLowerCase();
  return t === '' ? undefined : t;
}

function positive(input: string | undefined): number | undefined {
  if (input === undefined) return undefined;
  const n = Number(input.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

interface EnclosureFields {
  type?: string | undefined;
  length?: string | number | undefined;
  title?: string | undefined;
  bitrate?: number | undefined;
  duration?: number | undefined;
  group?: number | undefined;
  isDefault?: boolean | undefined;
  integrity?: Integrity[] | undefined;
}

/** Build an enclosure from a URL reference, or undefined when it is empty or of a kind we cannot fetch. */
export function makeEnclosure(
  ref: string | undefined,
  base: string,
  options: EnclosureFields & { source: EnclosureSource },
): Enclosure | undefined {
  if (ref === undefined) return undefined;
  const url = resolveUrl(ref, base);
  if (url === undefined) return undefined;
  const type = mimeType(options.type);
  const kind = enclosureKind(url, type);
  if (kind === undefined) return undefined;
  const enc: Enclosure = { url, kind, source: options.source };
  if (type !== undefined) enc.type = type;
  const length = parseLength(options.length);
  if (length !== undefined) enc.length = length;
  if (options.title) enc.title = options.title;
  if (options.bitrate !== undefined) enc.bitrate = options.bitrate;
  if (options.duration !== undefined) enc.duration = Math.round(options.duration);
  if (options.group !== undefined) enc.group = options.group;
  if (options.isDefault) enc.isDefault = true;
  if (options.integrity && options.integrity.length > 0) enc.integrity = options.integrity;
  return enc;
}

function push(out: Enclosure[], enc: Enclosure | undefined): void {
  if (enc) out.push(enc);
}

function mediaContent(el: XmlElement, group: number | undefined, out: Enclosure[]): void {
  const medium = attr(el, 'medium');
  if (medium === 'image') return; // pictures of the item, not its media
  push(
    out,
    makeEnclosure(attr(el, 'url'), el.base, {
      source: 'media:content',
      type: attr(el, 'type'),
      length: attr(el, 'fileSize'),
      bitrate: positive(attr(el, 'bitrate')),
      duration: positive(attr(el, 'duration')),
      group,
      isDefault: attr(el, 'isDefault') === 'true',
    }),
  );
}

/** Media RSS `<media:peerLink type="application/x-bittorrent" href="...">`: a P2P link to the same media. */
function peerLink(el: XmlElement, group: number | undefined, out: Enclosure[]): void {
  push(
    out,
    makeEnclosure(attr(el, 'href'), el.base, { source: 'media:peerLink', type: attr(el, 'type'), group }),
  );
}

function integrityOf(el: XmlElement): Integrity[] {
  const out: Integrity[] = [];
  for (const i of children(el, [PODCAST, 'integrity'])) {
    const type = attr(i, 'type');
    const value = attr(i, 'value')?.trim();
    if ((type === 'sri' || type === 'pgp-signature') && value) out.push({ type, value });
  }
  return out;
}

/**
 * Every enclosure of an RSS item or Atom entry that the extensions declare, in document order:
 * `<enclosure>` (RSS only, when `rssEnclosures`), `<media:content>`, `<media:peerLink>`, `<media:group>`,
 * alternateEnclosure.
 */
export function extensionEnclosures(item: XmlElement, options: { rssEnclosures: boolean }): Enclosure[] {
  const out: Enclosure[] = [];
  let group = 0;
  for (const c of item.children) {
    if (typeof c === 'string') continue;
    if (options.rssEnclosures && c.local === 'enclosure' && (RSS as readonly string[]).includes(c.ns)) {
      push(
        out,
        makeEnclosure(attr(c, 'url'), c.base, {
          source: 'enclosure',
          type: attr(c, 'type'),
          length: attr(c, 'length'),
        }),
      );
    } else if ((MEDIA as readonly string[]).includes(c.ns)) {
      if (c.local === 'content') mediaContent(c, undefined, out);
      else if (c.local === 'peerLink') peerLink(c, undefined, out);
      else if (c.local === 'group') {
        group++;
        for (const m of children(c, [MEDIA, 'content'])) mediaContent(m, group, out);
        for (const p of children(c, [MEDIA, 'peerLink'])) peerLink(p, group, out);
      }
    } else if ((PODCAST as readonly string[]).includes(c.ns) && c.local === 'alternateEnclosure') {
      group++;
      const integrity = integrityOf(c);
      const bitrate = positive(attr(c, 'bitrate'));
      for (const s of children(c, [PODCAST, 'source'])) {
        push(
          out,
          makeEnclosure(attr(s, 'uri'), s.base, {
            source: 'alternateEnclosure',
            type: attr(s, 'contentType') ?? attr(c, 'type'),
            length: attr(c, 'length'),
            title: attr(c, 'title'),
            bitrate: bitrate === undefined ? undefined : Math.round(bitrate / 1000),
            group,
            isDefault: attr(c, 'default') === 'true',
            integrity,
          }),
        );
      }
    }
  }
  return out;
}
