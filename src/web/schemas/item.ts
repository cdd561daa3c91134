/**
 * The item as the API gives it (`itemView` in `routes/items.ts`, plus what `GET /api/v1/items/:id`,
 * the takedown routes and search add), its files, archiving, processing and derivatives (issue 18):
 * the shared schemas `Item` and `ItemFile`.
 */

import { LICENSE_INFO_SCHEMA } from '../../licenses.js';
import { dateTime, integer, nullableString, object, ref, string, strings } from './common.js';
import { itemFieldReadSchemas } from './item-fields.js';

const nullableInteger = { type: ['integer', 'null'] } as const;
const share = { type: 'number', minimum: 0, maximum: 1 } as const;

export const itemFileSchema = {
  $id: 'ItemFile',
  ...object(
    {
      path: string,
      length: integer,
      mimeType: nullableString,
      sha256: { type: ['string', 'null'], description: "The file's SHA-256 (hex); null until archived" },
      integrity: {
        type: 'string',
        description: 'SHA-384 as Subresource Integrity (`sha384-...`), once analysed',
      },
      url: {
        type: ['string', 'null'],
        description: 'Its HTTP URL (Range-capable); null until the site holds it',
      },
    },
    { required: ['path', 'length', 'mimeType', 'sha256', 'url'] },
  ),
} as const;

const archive = object(
  {
    state: { enum: ['waiting', 'archiving', 'archived', 'failed'] },
    phase: { enum: ['queued', 'downloading', 'failed', 'gave-up', 'done'] },
    progress: share,
    peers: integer,
    error: string,
    attempts: integer,
    retryAt: dateTime,
  },
  {
    required: ['state', 'phase'],
    description: 'Torrent-only items on an archiving site: waiting, archiving (progress), archived, failed',
  },
);

const processing = {
  type: ['object', 'null'],
  description:
    'Media work on the item: queued, running (progress 0..1), done or failed; null when none was queued',
  required: ['state'],
  properties: { state: { enum: ['queued', 'running', 'done', 'failed'] }, progress: share, error: string },
} as const;

const derivative = object(
  {
    kind: { enum: ['video', 'audio', 'image', 'poster', 'storyboard', 'waveform', 'page'] },
    label: { type: 'string', description: '`1080p`, `720p`, `360p`, `mp3`, `web`, `poster`...' },
    mime: string,
    width: integer,
    height: integer,
    bitrate: { type: 'integer', description: 'Bits per second' },
    length: integer,
    url: { type: 'string', description: '`/items/{id}/derivatives/{file}`, Range-capable' },
    torrentUrl: { type: 'string', description: '`/items/{id}/derivatives.torrent`' },
    magnet: string,
    integrity: { type: 'string', description: 'SHA-384 as Subresource Integrity' },
  },
  { required: ['kind', 'label', 'mime', 'length', 'url'] },
);

const traffic = object(
  {
    httpPlayer: integer,
    httpDownload: integer,
    webSeed: integer,
    tcp: integer,
    webrtc: integer,
    browserPeers: integer,
    site: { type: 'integer', description: 'Everything the site sent' },
    saved: { type: 'integer', description: 'Bytes the swarm saved the site' },
  },
  { description: 'Bytes per channel (issue 17)' },
);

const swarm = object(
  {
    seeders: integer,
    leechers: integer,
    completed: integer,
    served: object({ peer: integer, webSeed: integer, http: integer, total: integer }),
    saved: integer,
  },
  { description: "The tracker's counts and the bytes the site served" },
);

export const itemSchema = {
  $id: 'Item',
  ...object(
    {
      id: integer,
      url: { type: 'string', description: "The item's page" },
      torrentUrl: string,
      magnet: { type: ['string', 'null'], description: 'tr= trackers, xs= the .torrent, ws= the web seed' },
      infoHash: nullableString,
      infoHashV2: nullableString,
      // title, description, creator, date, language, series, episode... (`src/catalog/item-fields.ts`)
      ...itemFieldReadSchemas(),
      license: { ...nullableString, description: 'The canonical SPDX id (CC-BY-4.0, CC0-1.0...)' },
      licenseInfo: LICENSE_INFO_SCHEMA,
      tags: strings,
      mediaType: { enum: ['video', 'audio', 'image', 'text', 'software', 'other'] },
      mimeType: nullableString,
      durationMs: nullableInteger,
      width: nullableInteger,
      height: nullableInteger,
      thumbnailUrl: nullableString,
      status: { enum: ['pending', 'ready', 'taken_down'] },
      torrentOnly: { type: 'boolean' },
      archived: { type: 'boolean', description: 'The site holds every file' },
      archive,
      length: { type: 'integer', description: 'Bytes of all files' },
      createdAt: dateTime,
      files: { type: 'array', items: ref('ItemFile') },
      processing,
      derivatives: { type: 'array', items: derivative, description: 'Web renditions of the original' },
      takedown: object(
        { reason: nullableString, at: { type: ['integer', 'null'], description: 'Milliseconds since 1970' } },
        { description: 'Why and when it was taken down (admins only)' },
      ),
      archiving: object(
        { pieces: integer, have: integer, downloaded: integer, peers: integer },
        { description: "The archiver's download under way" },
      ),
      damaged: object({ pieces: integer }, { description: 'Pieces that failed their check in storage' }),
      swarm,
      traffic,
      startSeconds: { type: 'number', description: 'Search: where the words are in the captions' },
    },
    {
      required: ['id', 'url', 'torrentUrl', 'title', 'status', 'mediaType', 'files', 'createdAt', 'length'],
    },
  ),
} as const;
