/**
 * The schemas of the feeds (`routes/feeds.ts`): RSS, Atom and JSON Feed per site, channel and user,
 * the OPML of channels, oEmbed (`routes/embed.ts`) and OAI-PMH (`routes/oai.ts`). Their bodies are
 * documents of their own formats, described by media type.
 */

import { errors } from './common.js';

const FEED_TYPES = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
} as const;

const text = { type: 'string' } as const;
const notModified = {
  type: 'null',
  description: 'Not modified (If-None-Match or If-Modified-Since)',
} as const;

/** A feed route's schema: `scope` says whose items (the site's, a channel's, a user's). */
export function feedSchema(format: keyof typeof FEED_TYPES, scope: string, querystring: unknown) {
  const name = { rss: 'RSS 2.0', atom: 'Atom', json: 'JSON Feed 1.1' }[format];
  return {
    summary: `${name} feed of ${scope} (media enclosures, or with enclosure=torrent the .torrent files)`,
    tags: ['feeds'],
    querystring,
    response: {
      200: { description: `The ${name} document`, content: { [FEED_TYPES[format]]: { schema: text } } },
      304: notModified,
      ...errors,
    },
  };
}

export const opmlSchema = {
  summary: "OPML list of the site's feeds: the newest items and every channel",
  tags: ['feeds'],
  response: {
    200: { description: 'OPML 2.0', content: { 'text/x-opml': { schema: text } } },
    304: notModified,
    ...errors,
  },
};

const oembedJson = {
  type: 'object',
  description: 'oEmbed 1.0: a video, rich, photo or link answer',
  required: ['type', 'version'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['video', 'rich', 'photo', 'link'] },
    version: { type: 'string', enum: ['1.0'] },
    title: text,
    author_name: text,
    author_url: text,
    provider_name: text,
    provider_url: text,
    cache_age: { type: 'integer' },
    thumbnail_url: text,
    url: text,
    html: text,
    width: { type: 'integer' },
    height: { type: 'integer' },
  },
} as const;

export const oembedSchema = {
  summary: "oEmbed for an item's page URL (JSON, or XML with format=xml)",
  tags: ['feeds'],
  response: {
    200: {
      description: 'The oEmbed answer',
      content: { 'application/json': { schema: oembedJson }, 'text/xml': { schema: text } },
    },
    ...errors,
  },
};

const oai = {
  200: {
    description: 'An OAI-PMH 2.0 answer (errors such as badVerb are answers too)',
    content: { 'text/xml': { schema: text } },
  },
  ...errors,
};

export const oaiGetSchema = {
  summary: 'OAI-PMH 2.0 (Dublin Core): verb=Identify, ListRecords, GetRecord, ListIdentifiers, ListSets...',
  tags: ['feeds'],
  response: oai,
};

export const oaiPostSchema = {
  summary: 'OAI-PMH 2.0 with the arguments in a form body',
  tags: ['feeds'],
  bodyContent: {
    'application/x-www-form-urlencoded': {
      type: 'object',
      required: ['verb'],
      properties: { verb: text, metadataPrefix: text, identifier: text, set: text, resumptionToken: text },
    },
  },
  response: oai,
};
