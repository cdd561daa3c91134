/**
 * Feeds, both ways. Reading (the aggregator's side): parse RSS 2.0 (with Media RSS, iTunes and
 * podcast namespace 1.0), RDF 1.0, RFC 4287 Atom and JSON Feed 1.1 into one plain `Feed` with a small
 * XML reader of our own (`xml-read.ts`); choose what to fetch for an item (swarm first, HTTP
 * fallback); read and write OPML subscription lists. Writing (the site's side, transport-free): what
 * every feed says about an item (`entry.ts`), then RSS 2.0 (iTunes, podcast namespace, Media RSS),
 * Atom, JSON Feed, OPML, oEmbed and OAI-PMH (`write-*.ts`, `oembed.ts`, `oai.ts`), all written with
 * one escaping XML writer (`xml-write.ts`).
 */

export { chooseEnclosures, type EnclosureChoice } from './choose.js';
export { parseDate, parseDuration } from './dates.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
export {
  type EntryContext,
  type FeedEntry,
  type FeedFile,
  type FeedInfo,
  licenseOf,
  textToHtml,
  toEntry,
} from './entry.js';
export { type OaiOptions, OaiProvider, type OaiSource } from './oai.js';
export { itemIdFromUrl, type OembedAnswer, oembedFor, oembedXml } from './oembed.js';
export { buildOpml, type Opml, parseOpml, type Subscription } from './opml.js';
export { type ParseFeedOptions, parseFeed } from './parse.js';
export type {
  Enclosure,
  EnclosureKind,
  EnclosureSource,
  Feed,
  FeedFormat,
  FeedItem,
  Integrity,
  TranscriptLink,
} from './types.js';
export { renderAtom } from './write-atom.js';
export { renderJsonFeed } from './write-json.js';
export { type OpmlFeed, renderOpml } from './write-opml.js';
export { type EnclosureForm, podcastGuid, renderRss, rfc822 } from './write-rss.js';
export { el, escapeAttr, escapeText, renderXml, type XmlOut, xmlSafe } from './xml-write.js';
