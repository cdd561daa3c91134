/**
 * `parseFeed`: the one entry point that reads any feed Seedcast follows. Enforces the size limit, decodes
 * the bytes, tells JSON Feed from XML by the first character and RSS 2.0 / RDF 1.0 / Atom 1.0 by the root
 * element, refuses HTML pages with a clear reason, and hands the tree to the format's parser. Every failure
 * is a SeedcastError (FEED_INVALID, FEED_TOO_LARGE, FEED_UNSAFE); nothing else escapes.
 */

import { isSeedcastError, SeedcastError } from '../errors.js';
import { decodeDocument } from './decode.js';
import { ATOM, RDF } from './namespaces.js';
import { parseAtom } from './parse-atom.js';
import { parseJsonFeed } from './parse-json.js';
import { parseRss } from './parse-rss.js';
import type { Feed } from './types.js';
import { parseXml } from './xml-read.js';

export interface ParseFeedOptions {
  /** The feed's URL: the base for relative URLs. */
  url: string;
  /** Largest document accepted, in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Deepest XML element nesting accepted (default 64). */
  maxDepth?: number;
}

/**
 * An HTML page: its first element (after the XML declaration, comments and any DOCTYPE) is
 * html/head/body. A scan, not a regular expression: `(?:<!--[\s\S]*?-->\s*)*` may end each
 * comment at any later `-->`, which took exponential time (40 `<!-->` hung the process; found by
 * fuzzing).
 */
function isHtmlPage(text: string): boolean {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('>', i);
    if (end < 0) return false;
    i = end + 1;
  }
  for (;;) {
    skipSpace();
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else if (text.slice(i, i + 9).toLowerCase() === '<!doctype') {
      const end = text.indexOf('>', i);
      const subset = text.indexOf('[', i);
      if (end < 0 || (subset >= 0 && subset < end)) return false;
      i = end + 1;
    } else {
      return /^<(?:html|head|body)[\s>]/i.test(text.slice(i, i + 6));
    }
  }
}

function invalid(detail: string): SeedcastError {
  return new SeedcastError('FEED_INVALID', detail);
}

function parseJson(text: string, url: string): Feed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(`not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseJsonFeed(doc, url);
}

function parseXmlFeed(text: string, options: ParseFeedOptions): Feed {
  if (isHtmlPage(text.slice(0, 4096))) throw invalid('an HTML page, not a feed');
  const root = parseXml(text, { url: options.url, maxDepth: options.maxDepth ?? 64 });
  if (root.local === 'rss' || (root.local === 'RDF' && root.ns === RDF)) return parseRss(root);
  if (root.local === 'feed' && (root.ns === '' || (ATOM as readonly string[]).includes(root.ns))) {
    return parseAtom(root);
  }
  if (root.local.toLowerCase() === 'html') throw invalid('an HTML page, not a feed');
  throw invalid(`the root element <${root.qname}> is not <rss>, <rdf:RDF> or <feed>`);
}

/** Parse an RSS, RDF, Atom or JSON Feed document (bytes as fetched, or text) into a Feed. */
export function parseFeed(input: Uint8Array | string, options: ParseFeedOptions): Feed {
  const text = decodeDocument(input, options);
  const start = text.search(/\S/);
  if (start < 0) throw invalid('the document is empty');
  const first = text[start];
  try {
    if (first === '{' || first === '[') return parseJson(text, options.url);
    if (first === '<') return parseXmlFeed(text.slice(start), options);
  } catch (err) {
    if (isSeedcastError(err)) throw err;
    throw new SeedcastError('FEED_INVALID', (err as Error).message, { cause: err });
  }
  const head = text.slice(start, start + 20).replace(/\s+/g, ' ');
  throw invalid(`neither XML nor JSON (it starts with "${head}")`);
}
