/**
 * The OpenAPI 3.1 pieces of media processing (issue 18): the item's `processing` and `derivatives`
 * (CONTRACT.md), spread into the `Item` schema by `openapi.ts`.
 */

export const processingProperties = {
  processing: {
    type: ['object', 'null'],
    description:
      'Media work on the item (analysis, derivatives): queued, running (progress 0..1), done, or failed (error); null when none was ever queued',
    properties: {
      state: { enum: ['queued', 'running', 'done', 'failed'] },
      progress: { type: 'number', minimum: 0, maximum: 1 },
      error: { type: 'string' },
    },
    required: ['state'],
  },
  derivatives: {
    type: 'array',
    description:
      'Web renditions of the original (the original stays the download). All of an item’s derivatives form one torrent (a folder `derivatives`), web-seeded from `/items/{id}/`',
    items: {
      type: 'object',
      required: ['kind', 'label', 'mime', 'length', 'url'],
      properties: {
        kind: { enum: ['video', 'audio', 'image', 'poster', 'storyboard', 'waveform', 'page'] },
        label: { type: 'string', description: '`1080p`, `720p`, `360p`, `mp3`, `web`, `poster`...' },
        mime: { type: 'string' },
        width: { type: 'integer' },
        height: { type: 'integer' },
        bitrate: { type: 'integer', description: 'Bits per second' },
        length: { type: 'integer' },
        url: { type: 'string', description: '`/items/{id}/derivatives/{file}`, Range-capable' },
        torrentUrl: { type: 'string', description: '`/items/{id}/derivatives.torrent`' },
        magnet: { type: 'string' },
        integrity: { type: 'string', description: 'SHA-384 as Subresource Integrity: `sha384-<base64>`' },
      },
    },
  },
} as const;
