/**
 * Feeds: parse RSS 2.0 (with Media RSS, iTunes and podcast namespace 1.0), RDF 1.0, RFC 4287 Atom and
 * JSON Feed 1.1 into one plain `Feed`; choose what to fetch for an item (swarm first, HTTP fallback);
 * read and write OPML subscription lists. Imports nothing of Seedcast's but the error registry.
 */

export { chooseEnclosures, type EnclosureChoice } from './choose.js';
export { parseDate, parseDuration } from './dates.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
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
