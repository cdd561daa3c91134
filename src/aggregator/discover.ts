/**
 * Finding the feed behind a URL someone pasted into the app (issue 23): a feed's own URL, or a web
 * page that names its feeds in `<head>` with `<link rel="alternate" type="application/rss+xml" ...>`
 * (RSS Autodiscovery, rssboard.org/rss-autodiscovery; HTML Living Standard 4.6.7 "alternate"), as a
 * Seedcast site's channel and item pages do. The URL is the user's choice, so any address may be
 * fetched (as feed URLs are, `poll.ts`), bounded in time and size. A link found on a page at a public
 * address must lead to a public address too (the page's publisher chose it, not the user).
 *
 * The link scanner is our own and tolerant: comments, scripts and styles skipped; attributes in any
 * order, quoted or not, any case; `&amp;`-style references decoded; relative `href`s resolved against
 * the first `<base href>` (HTML 4.2.3) and the page's URL after redirects. Feeds are preferred RSS,
 * then Atom, then JSON Feed, each in document order.
 */

import { ERRORS, isSeedcastError, SeedcastError } from '../errors.js';
import { DEFAULT_MAX_BYTES, parseFeed } from '../feeds/index.js';
import type { OutboundPolicy } from '../net/index.js';
import { httpGet, policyForFeed, readChunks, readLimited } from './http.js';
import { normalizeFeedUrl } from './subscriptions.js';

export type FeedLinkKind = 'rss' | 'atom' | 'json';

export interface FeedLink {
  /** Absolute http(s) URL. */
  url: string;
  kind: FeedLinkKind;
  /** The `type` attribute, lower case, without parameters. */
  type: string;
  title?: string;
}

export interface DiscoveredFeed {
  /** The feed's URL (normalised, ready to subscribe to). */
  url: string;
  /** The feed's title when the URL was the feed itself. */
  title?: string;
  /** `feed`: the URL was a feed; `page`: a web page linked to it. */
  via: 'feed' | 'page';
  /** The page's `<link>` title, when found on a page. */
  linkTitle?: string;
}

export interface DiscoverOptions {
  /** Milliseconds for the whole exchange (headers and body; default 20 s). */
  timeoutMs?: number;
  maxBytes?: number;
  /** The rule for links found on pages at public addresses (default: public addresses only). */
  policy?: OutboundPolicy;
  signal?: AbortSignal;
}

const FEED_TYPES: Record<string, FeedLinkKind> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
  'application/json': 'json',
};
const RANK: Record<FeedLinkKind, number> = { rss: 0, atom: 1, json: 2 };
/** How much of a web page is read to find its `<head>`. */
const HTML_MAX_BYTES = 1024 * 1024;
const HEAD_END = /<\/head\s*>|<body[\s>]/i;

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5';

/** Find the feed `input` names: the feed itself, or the best feed a web page links to. */
export async function discoverFeed(input: string, options: DiscoverOptions = {}): Promise<DiscoveredFeed> {
  const url = normalizeFeedUrl(withScheme(input));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let body: Buffer;
  let finalUrl: string;
  let type: string;
  try {
    const got = await httpGet(url, { headers: { accept: ACCEPT }, signal, maxRedirects: 5 });
    finalUrl = got.url;
    type = (got.response.headers.get('content-type') ?? '').toLowerCase();
    // Served as a feed: taken without waiting for its body (a big feed on a slow server is still a
    // feed); the first poll reads it, and an unreadable one shows its error on the show.
    if (!/html/.test(type) && /rss|atom|rdf|feed\+json|xml/.test(type)) {
      await got.response.body?.cancel();
      return { url, via: 'feed' };
    }
    body = /html/.test(type)
      ? await readHead(got.response, { maxBytes: Math.min(maxBytes, HTML_MAX_BYTES), url: got.url })
      : await readLimited(got.response, { maxBytes, url: got.url });
  } catch (err) {
    if (isSeedcastError(err, 'AGGREGATOR_FETCH') || isSeedcastError(err, 'AGGREGATOR_TOO_LARGE'))
      throw new SeedcastError('AGGREGATOR_UNREACHABLE', detailOf(err), { cause: err });
    throw err;
  }
  if (/html/.test(type) || looksLikeHtml(body)) {
    const links = findFeedLinks(decodeHtml(body, type), finalUrl);
    const best = links[0];
    if (!best)
      throw new SeedcastError('AGGREGATOR_NO_FEED_LINK', `${url} has no <link rel="alternate"> to a feed`);
    const policy = await policyForFeed(finalUrl, options.policy);
    if (policy) await policy.checkUrl(best.url);
    return { url: normalizeFeedUrl(best.url), via: 'page', ...(best.title ? { linkTitle: best.title } : {}) };
  }
  try {
    const feed = parseFeed(body, { url: finalUrl, maxBytes });
    return { url, via: 'feed', ...(feed.title ? { title: feed.title } : {}) };
  } catch (err) {
    throw new SeedcastError('AGGREGATOR_NOT_A_FEED', `${url}: ${(err as Error).message}`);
  }
}

/** A page's start, up to its `</head>` or `<body>` (or `maxBytes`): the rest is not needed. */
async function readHead(response: Response, options: { maxBytes: number; url: string }): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of readChunks(response, { url: options.url })) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= options.maxBytes || HEAD_END.test(Buffer.from(chunk).toString('latin1'))) break;
  }
  return Buffer.concat(chunks).subarray(0, options.maxBytes);
}

/** `example.org/feed` -> `https://example.org/feed` (people paste addresses without a scheme). */
function withScheme(input: string): string {
  const s = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
}

function detailOf(err: SeedcastError): string {
  const prefix = `${ERRORS[err.code].message}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

function looksLikeHtml(body: Buffer): boolean {
  const start = body
    .subarray(0, 1024)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  return /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|meta|title|link)\b/i.test(start);
}

function decodeHtml(body: Buffer, type: string): string {
  const label = /charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
  try {
    return new TextDecoder(label ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** The feeds `html` links to in its head, best first (RSS, Atom, JSON Feed; document order within). */
export function findFeedLinks(html: string, pageUrl: string): FeedLink[] {
  const head = headOf(html);
  let base = pageUrl;
  const links: (FeedLink & { order: number })[] = [];
  const seen = new Set<string>();
  let baseSeen = false;
  for (const tag of scanTags(head, ['link', 'base'])) {
    const href = tag.attrs.get('href')?.trim();
    if (tag.name === 'base') {
      if (!baseSeen && href) {
        baseSeen = true;
        base = resolve(href, pageUrl) ?? base;
      }
      continue;
    }
    const rel = (tag.attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('alternate') || !href) continue;
    const type = (tag.attrs.get('type') ?? '').split(';')[0]!.trim().toLowerCase();
    const kind = FEED_TYPES[type];
    if (!kind) continue;
    const url = resolve(href, base);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const title = tag.attrs.get('title')?.trim();
    links.push({ url, kind, type, ...(title ? { title } : {}), order: links.length });
  }
  links.sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.order - b.order);
  return links.map(({ order: _order, ...link }) => link);
}

/** Everything before `</head>` or `<body>`, without comments, scripts and styles. */
function headOf(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style|template)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '');
  const end = text.search(/<\/head\s*>|<body[\s>]/i);
  return end < 0 ? text : text.slice(0, end);
}

function resolve(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/** The start tags named in `names` (lower case), with their attributes (the first of a name wins). */
export function* scanTags(html: string, names: readonly string[]): Generator<Tag> {
  const open = /<([a-zA-Z][a-zA-Z0-9-]*)(?=[\s/>])/g;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const name = m[1]!.toLowerCase();
    const { attrs, end, closed } = readAttributes(html, m.index + m[0].length);
    open.lastIndex = end;
    if (closed && names.includes(name)) yield { name, attrs };
  }
}

/**
 * Attributes from `at` to the tag's closing `>` (HTML 13.2.5.32 onwards, simplified); a tag the
 * document ends inside is not `closed` (and dropped, as browsers do).
 */
function readAttributes(
  html: string,
  at: number,
): { attrs: Map<string, string>; end: number; closed: boolean } {
  const attrs = new Map<string, string>();
  let i = at;
  const n = html.length;
  const space = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < n) {
    while (i < n && (space(html[i]) || html[i] === '/')) i++;
    if (i >= n) break;
    if (html[i] === '>') return { attrs, end: i + 1, closed: true };
    let name = '';
    while (i < n && !space(html[i]) && html[i] !== '>' && html[i] !== '/' && (html[i] !== '=' || name === ''))
      name += html[i++];
    while (i < n && space(html[i])) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < n && space(html[i])) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        const stop = close < 0 ? n : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const startValue = i;
        while (i < n && !space(html[i]) && html[i] !== '>') i++;
        value = html.slice(startValue, i);
      }
    }
    const key = name.toLowerCase();
    if (key && !attrs.has(key)) attrs.set(key, decodeEntities(value));
  }
  return { attrs, end: n, closed: false };
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
