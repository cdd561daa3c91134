/**
 * The OpenAPI 3.1 paths of the browser swarm's viewer choice and statistics (issue 17): an account's
 * P2P choice and the player's report (the beacon); `openapi.ts` spreads them into the site's document.
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

export function browserSwarmPaths(): Record<string, unknown> {
  return {
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
