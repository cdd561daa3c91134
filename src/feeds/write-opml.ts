/**
 * OPML 2.0 (http://opml.org/spec2.opml): a subscription list of every channel's RSS feed, plus the
 * site-wide feed first, so a podcast app can import the whole site at once.
 */

import { el, renderXml } from './xml-write.js';

export interface OpmlFeed {
  title: string;
  description: string;
  /** The RSS feed. */
  xmlUrl: string;
  /** The HTML page. */
  htmlUrl: string;
}

export function renderOpml(title: string, feeds: OpmlFeed[], created: Date | null): string {
  const body = el(
    'body',
    {},
    feeds.map((f) =>
      el('outline', {
        type: 'rss',
        text: f.title,
        title: f.title,
        description: f.description || undefined,
        xmlUrl: f.xmlUrl,
        htmlUrl: f.htmlUrl,
        version: 'RSS2',
      }),
    ),
  );
  const head = el(
    'head',
    {},
    el('title', {}, title),
    created ? el('dateModified', {}, created.toUTCString()) : null,
  );
  return renderXml(el('opml', { version: '2.0' }, head, body));
}
