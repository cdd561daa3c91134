/**
 * The plain shape every parsed feed takes, whatever it was written in (RSS 2.0 / 0.9x, RDF Site Summary 1.0,
 * RFC 4287 Atom, JSON Feed 1.0/1.1), with the enclosure extensions the aggregator cares about (Media RSS,
 * iTunes, podcast namespace 1.0). Dates are ISO 8601 strings in UTC; lengths are bytes; durations seconds.
 */

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

/** An HTTP(S) media file, a `.torrent` file (BitTorrent metainfo) or a magnet link (BEP 9). */
export type EnclosureKind = 'http' | 'torrent' | 'magnet';

/** Where in the item the enclosure was found. */
export type EnclosureSource =
  | 'enclosure'
  | 'media:content'
  | 'media:peerLink'
  | 'alternateEnclosure'
  | 'atom-link'
  | 'json-attachment';

/** A `<podcast:integrity>` value: an SRI hash (`sha384-...`) or a base64 PGP signature. */
export interface Integrity {
  type: 'sri' | 'pgp-signature';
  value: string;
}

export interface Enclosure {
  /** Absolute URL (magnet links as written). */
  url: string;
  /** MIME type as declared, lower-cased, without parameters. */
  type?: string;
  /**
   * Length in bytes as declared. For a `podcast:alternateEnclosure` source it is the media's length (even
   * for a `.torrent` source); for a `.torrent` `<enclosure>` it is whatever the feed wrote, often the size
   * of the `.torrent` file itself.
   */
  length?: number;
  kind: EnclosureKind;
  source: EnclosureSource;
  /** Title of the rendition (alternateEnclosure `title`, JSON Feed attachment `title`). */
  title?: string;
  /** Bit rate in kbit/s when declared (Media RSS `bitrate`, alternateEnclosure `bitrate` in bit/s / 1000). */
  bitrate?: number;
  /** Duration in seconds when declared on the enclosure itself. */
  duration?: number;
  /** Enclosures of one `media:group` or one `podcast:alternateEnclosure` share a group number. */
  group?: number;
  /** Media RSS `isDefault="true"` or alternateEnclosure `default="true"`. */
  isDefault?: boolean;
  integrity?: Integrity[];
}

/** A `<podcast:transcript>`: a transcript or captions file (`rel="captions"`) in some format and language. */
export interface TranscriptLink {
  url: string;
  /** `text/vtt`, `application/x-subrip`, `application/json`, `text/html`, `text/plain` ... */
  type: string;
  language?: string;
  rel?: string;
}

export interface FeedItem {
  /** The feed's id for the item (RSS guid, Atom id, JSON Feed id), or one derived when missing. */
  guid: string;
  /** True when `guid` was derived (from the enclosure URL, the link, or the title and date). */
  guidDerived: boolean;
  /** Plain text: HTML stripped, entities decoded, whitespace collapsed. */
  title: string;
  link?: string;
  /** The description or summary as the feed gave it (may be HTML). */
  description?: string;
  /** The same as plain text. */
  descriptionText?: string;
  /** Full content when given separately (`content:encoded`, Atom `content`, JSON Feed `content_html`). */
  content?: string;
  /** ISO 8601 UTC; undefined when missing or unreadable. */
  published?: string;
  updated?: string;
  author?: string;
  /** Seconds (`itunes:duration` in any of its forms, or the enclosure's duration). */
  duration?: number;
  image?: string;
  enclosures: Enclosure[];
  /** `<podcast:chapters>`: the JSON chapters file. */
  chapters?: { url: string; type: string };
  /** `<podcast:transcript>`s, in the feed's order. */
  transcripts?: TranscriptLink[];
}

export interface Feed {
  format: FeedFormat;
  /** '2.0', '0.91', '1.0' (RDF or Atom), '1.1' (JSON Feed) ... as declared or implied. */
  version: string;
  title: string;
  link?: string;
  description?: string;
  descriptionText?: string;
  image?: string;
  language?: string;
  author?: string;
  /** RSS `<ttl>`: minutes the feed may be cached. */
  ttl?: number;
  /** From `sy:updatePeriod` and `sy:updateFrequency` (RSS 1.0 syndication module): minutes between updates. */
  updateInterval?: number;
  items: FeedItem[];
}
