/**
 * The schemas of the public file routes (outside `/api/v1`): `.torrent` files, the item's files
 * (the BEP 19 web seed), its thumbnail, derivatives, captions and chapters. Their bodies are bytes;
 * the answers list the statuses a client sees (Range: 206 and 416; `If-None-Match`: 304).
 */

import { errors, ref } from './common.js';

const binary = { type: 'string', format: 'binary' } as const;

/** A body of `type`, described. */
export function bytesOf(type: string, description: string) {
  return { description, content: { [type]: { schema: binary } } };
}

const notModified = { type: 'null', description: 'Not modified (If-None-Match matched the ETag)' } as const;

/** The answers of a byte-serving route: the bytes, a part (Range), not modified, a range past the end. */
function ranged(type: string, description: string) {
  return {
    200: bytesOf(type, description),
    206: bytesOf(type, 'The range asked for (Content-Range)'),
    304: notModified,
    416: { type: 'null', description: 'The range is past the end (Content-Range: bytes */length)' },
    ...errors,
    503: ref('Error', "FILE_USE_SWARM: a bounded web-seed range deferred to the site's peer (Retry-After)"),
  };
}

const torrentAnswer = {
  200: bytesOf('application/x-bittorrent', "The .torrent, with the site's current trackers"),
  304: notModified,
  ...errors,
};

export const fileSchemas = {
  torrent: {
    summary: "An item's .torrent (the site's trackers first; ETag of the bytes served)",
    tags: ['files'],
    response: torrentAnswer,
  },
  thumbnail: {
    summary: "An item's thumbnail (JPEG, made by the media analyzer)",
    tags: ['files'],
    response: { 200: bytesOf('image/jpeg', 'The thumbnail'), 304: notModified, ...errors },
  },
  file: {
    summary:
      "One of an item's files (the torrent's web seed): Range, ETag (SHA-256), inline for passive media, else a download",
    tags: ['files'],
    response: ranged('application/octet-stream', 'The file, typed from its extension'),
  },
  derivativesTorrent: {
    summary:
      "The torrent of an item's derivatives (web renditions), web-seeded from /items/{id}/derivatives/",
    tags: ['files'],
    response: torrentAnswer,
  },
  derivative: {
    summary: 'A derivative (web rendition) of an item: Range, ETag',
    tags: ['files'],
    response: ranged('application/octet-stream', 'The rendition (video/mp4, audio/mpeg, image/webp...)'),
  },
  captionsFile: {
    summary: "An item's captions in one language (WebVTT)",
    tags: ['files'],
    response: { 200: bytesOf('text/vtt', 'WebVTT'), 304: notModified, ...errors },
  },
  chaptersFile: {
    summary: "An item's chapters (Podcasting 2.0 JSON chapters)",
    tags: ['files'],
    response: {
      200: {
        description: 'JSON chapters 1.2.0',
        content: { 'application/json+chapters': { schema: ref('Chapters') } },
      },
      304: notModified,
      ...errors,
    },
  },
};
