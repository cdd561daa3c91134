/**
 * The namespace URIs feed readers match on (Namespaces in XML 1.0: match URIs, not prefixes), with the
 * variants seen in real feeds (trailing slashes, https, old podcast-namespace URLs, RSS 1.0/0.90 defaults).
 */

/** RSS core elements: unnamespaced in RSS 0.9x/2.0; namespaced in RSS 1.0 (RDF) and 0.90, and by a few writers. */
export const RSS = [
  '',
  'http://purl.org/rss/1.0/',
  'http://my.netscape.com/rdf/simple/0.9/',
  'http://backend.userland.com/rss2',
  'http://blogs.law.harvard.edu/tech/rss',
] as const;
export const ATOM = ['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#'] as const;
export const ITUNES = [
  'http://www.itunes.com/dtds/podcast-1.0.dtd',
  'https://www.itunes.com/dtds/podcast-1.0.dtd',
  'http://www.itunes.com/DTDs/Podcast-1.0.dtd',
  'http://www.itunes.com/DTDs/PodCast-1.0.dtd',
] as const;
export const PODCAST = [
  'https://podcastindex.org/namespace/1.0',
  'http://podcastindex.org/namespace/1.0',
  'https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md',
] as const;
export const MEDIA = [
  'http://search.yahoo.com/mrss/',
  'http://search.yahoo.com/mrss',
  'https://search.yahoo.com/mrss/',
] as const;
export const CONTENT = ['http://purl.org/rss/1.0/modules/content/'] as const;
export const DC = ['http://purl.org/dc/elements/1.1/', 'http://purl.org/dc/terms/'] as const;
export const SY = ['http://purl.org/rss/1.0/modules/syndication/'] as const;
export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Prefixes that feeds often use without declaring them, and the namespace each one means. */
export const WELL_KNOWN_PREFIXES: Record<string, string> = {
  xml: XML_NS,
  itunes: ITUNES[0],
  podcast: PODCAST[0],
  media: MEDIA[0],
  content: CONTENT[0],
  dc: DC[0],
  sy: SY[0],
  atom: ATOM[0],
  rdf: RDF,
};
