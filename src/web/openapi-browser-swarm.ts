/**
 * The OpenAPI 3.1 paths of the browser swarm (issue 17): the P2P player's description of an item's
 * torrent (or its derivatives torrent, issue 18), an account's P2P choice and the player's report
 * (the beacon); `openapi.ts` spreads them into the site's document.
 */

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const choice = { type: 'string', enum: ['default', 'on', 'off'] };
const p2pView = {
  description: 'The account’s choice, the site’s default, and what applies',
  ...json({
    type: 'object',
    properties: {
      p2p: choice,
      siteDefault: { type: 'string', enum: ['on', 'off'] },
      effective: { type: 'string', enum: ['on', 'off'] },
    },
  }),
};
const bytes = { type: 'integer', minimum: 0, maximum: 10 * 1024 ** 3 };
const strings = { type: 'array', items: { type: 'string' } };
const description = {
  type: 'object',
  required: ['infoHash', 'pieceLength', 'length', 'pieces', 'files', 'trackers', 'webSeed'],
  properties: {
    infoHash: { type: 'string', description: 'v1 info hash, hex' },
    pieceLength: { type: 'integer' },
    length: { type: 'integer', description: 'Bytes of the v1 piece space (BEP 47 padding included)' },
    pieces: { type: 'string', description: 'The SHA-1 piece hashes, concatenated, base64' },
    files: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'length', 'offset', 'url'],
        properties: {
          path: { type: 'string' },
          length: { type: 'integer' },
          offset: { type: 'integer', description: 'Where the file starts in the piece space' },
          url: { type: 'string', description: 'Its HTTP URL (Range), the web seed for its pieces' },
        },
      },
    },
    trackers: { ...strings, description: 'WebSocket trackers (the site’s /announce)' },
    webSeed: { type: 'string', description: 'BEP 19 web seed base' },
    iceServers: {
      type: 'array',
      items: { type: 'object', properties: { urls: strings } },
      description: 'RTCConfiguration.iceServers: the site’s STUN servers, or none',
    },
  },
};

export function browserSwarmPaths(): Record<string, unknown> {
  return {
    '/api/v1/items/{id}/p2p': {
      get: {
        summary:
          'The P2P player’s description of the item’s torrent, or with torrent=derivatives of its derivatives torrent (web renditions)',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
          {
            name: 'torrent',
            in: 'query',
            required: false,
            description: 'original (the default) or derivatives',
            schema: { type: 'string', enum: ['original', 'derivatives'] },
          },
        ],
        responses: {
          200: { description: 'The description', ...json(description) },
          404: error,
          '4XX': error,
        },
      },
    },
    '/api/v1/account/p2p': {
      get: {
        summary: 'Your choice of browser P2P (sharing with other viewers)',
        security: bearer,
        responses: { 200: p2pView, '4XX': error },
      },
      put: {
        summary: 'Set your choice of browser P2P: the site’s default, on or off',
        security: bearer,
        requestBody: json({ type: 'object', required: ['p2p'], properties: { p2p: choice } }),
        responses: { 200: p2pView, '4XX': error },
      },
    },
    '/api/v1/items/{id}/p2p-report': {
      post: {
        summary:
          'The player’s report: bytes since its last report (navigator.sendBeacon); no address is stored',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        requestBody: json({
          type: 'object',
          required: ['fromPeers', 'fromWebSeed', 'toPeers'],
          properties: { fromPeers: bytes, fromWebSeed: bytes, toPeers: bytes },
        }),
        responses: { 204: { description: 'Counted' }, '4XX': error },
      },
    },
  };
}
