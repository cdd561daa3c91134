/**
 * The feeds the site serves, transport-free: RSS 2.0 (iTunes, podcast namespace, Media RSS), Atom,
 * JSON Feed, OPML, oEmbed and OAI-PMH, all written with one escaping XML writer.
 */

export { renderAtom } from './atom.js';
export {
  type EntryContext,
  type FeedEntry,
  type FeedFile,
  type FeedInfo,
  licenseOf,
  textToHtml,
  toEntry,
} from './entry.js';
export { renderJsonFeed } from './json-feed.js';
export { type OaiOptions, OaiProvider, type OaiSource } from './oai.js';
export { itemIdFromUrl, type OembedAnswer, oembedFor, oembedXml } from './oembed.js';
export { type OpmlFeed, renderOpml } from './opml.js';
export { type EnclosureForm, podcastGuid, renderRss, rfc822 } from './rss.js';
export { el, escapeAttr, escapeText, renderXml, type XmlOut, xmlSafe } from './xml.js';
