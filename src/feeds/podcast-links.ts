/**
 * The podcast namespace 1.0 links an item gives beside its media: `<podcast:chapters url type>` (the
 * JSON chapters file, at most one) and `<podcast:transcript url type language rel>` (transcripts and
 * captions, several languages and formats). URLs are resolved against the element's xml:base and kept
 * only when HTTP(S); types are lower-cased without parameters.
 */

import { PODCAST } from './namespaces.js';
import type { FeedItem, TranscriptLink } from './types.js';
import { resolveHttpUrl } from './urls.js';
import { attr, children, type XmlElement } from './xml-read.js';

/** At most this many transcripts are kept per item (a feed could list thousands). */
const MAX_TRANSCRIPTS = 20;

function mediaType(value: string | undefined): string | undefined {
  const t = value?.split(';')[0]?.trim().toLowerCase();
  return t ? t.slice(0, 100) : undefined;
}

/** `chapters` and `transcripts` of an item element (each undefined when absent). */
export function podcastLinks(el: XmlElement): Pick<FeedItem, 'chapters' | 'transcripts'> {
  const out: Pick<FeedItem, 'chapters' | 'transcripts'> = {};
  for (const c of children(el, [PODCAST, 'chapters'])) {
    const href = attr(c, 'url');
    const url = href?.trim() ? resolveHttpUrl(href, c.base) : undefined;
    if (!url) continue;
    out.chapters = { url, type: mediaType(attr(c, 'type')) ?? 'application/json+chapters' };
    break;
  }
  const transcripts: TranscriptLink[] = [];
  for (const c of children(el, [PODCAST, 'transcript'])) {
    const href = attr(c, 'url');
    const url = href?.trim() ? resolveHttpUrl(href, c.base) : undefined;
    const type = mediaType(attr(c, 'type'));
    if (!url || !type || transcripts.some((t) => t.url === url)) continue;
    const link: TranscriptLink = { url, type };
    const language = attr(c, 'language')?.trim();
    if (language) link.language = language.slice(0, 35);
    const rel = attr(c, 'rel')?.trim().toLowerCase();
    if (rel) link.rel = rel.slice(0, 35);
    transcripts.push(link);
    if (transcripts.length >= MAX_TRANSCRIPTS) break;
  }
  if (transcripts.length > 0) out.transcripts = transcripts;
  return out;
}
