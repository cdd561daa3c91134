/**
 * The OpenAPI 3.1 description of the site's JSON API (`GET /api/v1/openapi.json`): every `/api/v1`
 * route, including tus 1.0 resumable uploads (`openapi-uploads.ts`) and moderation
 * (`openapi-moderation.ts`). A test walks Fastify's registered routes and fails when one under
 * `/api/v1` is missing here.
 */

import { accountPaths } from './openapi-accounts.js';
import { browserSwarmPaths } from './openapi-browser-swarm.js';
import { captionPaths } from './openapi-captions.js';
import { jobPaths } from './openapi-jobs.js';
import { moderationPaths } from './openapi-moderation.js';
import { processingProperties } from './openapi-processing.js';
import { siteAdminPaths } from './openapi-site-admin.js';
import { uploadPaths } from './openapi-uploads.js';

type Op = Record<string, unknown>;

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, ...json(schema) });
const item = { $ref: '#/components/schemas/Item' };

function op(summary: string, responses: Record<string, unknown>, extra: Op = {}): Op {
  return { summary, responses: { ...responses, '4XX': error }, ...extra };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Seedcast site API',
      version: '1',
      description:
        'Publish media, search it, and fetch it over BitTorrent. Errors: { "error": { "code", "message" } }.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: 'An error with a registry code',
          ...json({
            type: 'object',
            properties: {
              error: {
                type: 'object',
                properties: { code: { type: 'string' }, message: { type: 'string' } },
              },
            },
          }),
        },
      },
      schemas: {
        Item: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            url: { type: 'string' },
            torrentUrl: { type: 'string' },
            infoHash: { type: ['string', 'null'] },
            infoHashV2: { type: ['string', 'null'] },
            title: { type: 'string' },
            description: { type: 'string' },
            creator: { type: 'string' },
            date: { type: ['string', 'null'] },
            language: { type: ['string', 'null'] },
            license: { type: ['string', 'null'] },
            tags: { type: 'array', items: { type: 'string' } },
            mediaType: { enum: ['video', 'audio', 'image', 'text', 'software', 'other'] },
            status: { enum: ['pending', 'ready', 'taken_down'] },
            archive: {
              type: 'object',
              description:
                'Torrent-only items on an archiving site: waiting (for peers, or its turn), archiving (progress), archived, failed (error)',
              properties: {
                state: { enum: ['waiting', 'archiving', 'archived', 'failed'] },
                phase: { enum: ['queued', 'downloading', 'failed', 'gave-up', 'done'] },
                progress: { type: 'number', minimum: 0, maximum: 1 },
                peers: { type: 'integer' },
                error: { type: 'string' },
                attempts: { type: 'integer' },
                retryAt: { type: 'string', format: 'date-time' },
              },
            },
            ...processingProperties,
            length: { type: 'integer' },
            createdAt: { type: 'string', format: 'date-time' },
            files: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  path: { type: 'string' },
                  length: { type: 'integer' },
                  mimeType: { type: ['string', 'null'] },
                  url: { type: 'string' },
                },
              },
            },
          },
        },
        Facet: {
          type: 'array',
          items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } },
        },
      },
    },
    paths: {
      '/api/v1/users': {
        post: op(
          'Register an account (the first is the admin)',
          { 201: ok('The account') },
          {
            requestBody: json({
              type: 'object',
              required: ['username', 'password'],
              properties: { username: { type: 'string' }, password: { type: 'string' } },
            }),
          },
        ),
      },
      '/api/v1/tokens': {
        post: op(
          'Trade a username and password for an API token',
          { 201: ok('{ token }') },
          {
            requestBody: json({
              type: 'object',
              required: ['username', 'password'],
              properties: {
                username: { type: 'string' },
                password: { type: 'string' },
                name: { type: 'string' },
              },
            }),
          },
        ),
      },
      '/api/v1/account/password': {
        post: op(
          'Change the password (the current one required); ends every session and API token',
          { 200: ok('{ sessions, tokens }: how many ended') },
          {
            security: bearer,
            requestBody: json({
              type: 'object',
              required: ['currentPassword', 'newPassword'],
              properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string' } },
            }),
          },
        ),
      },
      '/api/v1/account/logout-everywhere': {
        post: op(
          'End every session and API token of the account',
          { 200: ok('{ sessions, tokens }') },
          {
            security: bearer,
          },
        ),
      },
      '/api/v1/items': {
        post: op(
          'Publish files (multipart), a finished tus upload, or a .torrent alone',
          { 201: ok('The item', item) },
          {
            security: bearer,
            requestBody: { content: { 'multipart/form-data': { schema: { type: 'object' } } } },
          },
        ),
      },
      '/api/v1/items/{id}': {
        get: op(
          'An item with its swarm numbers (451 when taken down, except to admins)',
          { 200: ok('The item', item) },
          {
            parameters: [idParam],
          },
        ),
        patch: op(
          'Edit metadata (owner or admin)',
          { 200: ok('The item', item) },
          {
            parameters: [idParam],
            security: bearer,
            requestBody: json({ type: 'object' }),
          },
        ),
        delete: op(
          'Delete the item and its blobs (owner or admin)',
          { 204: { description: 'Deleted' } },
          {
            parameters: [idParam],
            security: bearer,
          },
        ),
      },
      '/api/v1/items/{id}/takedown': {
        post: op(
          'Take an item down (admin)',
          { 200: ok('The item', item) },
          {
            parameters: [idParam],
            security: bearer,
            requestBody: json({
              type: 'object',
              required: ['reason'],
              properties: { reason: { type: 'string' } },
            }),
          },
        ),
        delete: op(
          'Restore a taken-down item (admin)',
          { 200: ok('The item', item) },
          {
            parameters: [idParam],
            security: bearer,
          },
        ),
      },
      // storage limits and archiving (issue 15)
      '/api/v1/items/{id}/archive': {
        post: op(
          'Try archiving a torrent-only item again after it failed or gave up (owner or admin)',
          { 202: ok('The item, with its archive state', item) },
          { parameters: [idParam], security: bearer },
        ),
      },
      '/api/v1/users/{name}/quota': {
        get: op(
          "An account's storage quota and use (the account or an admin)",
          { 200: ok('{ username, setting, quota, used, remaining }') },
          { parameters: [nameParam], security: bearer },
        ),
        put: op(
          "Set an account's storage quota (admin): bytes, none or default",
          { 200: ok('{ username, setting, quota, used, remaining }') },
          {
            parameters: [nameParam],
            security: bearer,
            requestBody: json({
              type: 'object',
              required: ['quota'],
              properties: {
                quota: { anyOf: [{ type: 'integer', minimum: 0 }, { enum: ['none', 'default'] }] },
              },
            }),
          },
        ),
      },
      '/api/v1/items/{id}/comments': {
        get: op(
          'One page of comments: newest thread first, each in reply order',
          { 200: ok('{ comments, next, total }') },
          {
            parameters: [
              idParam,
              { name: 'after', in: 'query', schema: { type: 'string' } },
              { name: 'thread', in: 'query', schema: { type: 'integer', minimum: 1 } },
              { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            ],
          },
        ),
        post: op(
          'Comment, or reply with parentId',
          { 201: ok('{ id, parentId, author }') },
          {
            parameters: [idParam],
            security: bearer,
            requestBody: json({
              type: 'object',
              required: ['body'],
              properties: {
                body: { type: 'string', maxLength: 5000 },
                parentId: { type: ['integer', 'null'] },
              },
            }),
          },
        ),
      },
      ...moderationPaths(),
      ...browserSwarmPaths(),
      ...jobPaths(),
      '/api/v1/items/{id}/favourite': {
        put: op(
          'Favour an item',
          { 200: ok('{ count, mine }') },
          { parameters: [idParam], security: bearer },
        ),
        delete: op(
          'Stop favouring an item',
          { 200: ok('{ count, mine }') },
          {
            parameters: [idParam],
            security: bearer,
          },
        ),
      },
      '/api/v1/users/{name}/favourites': {
        get: op(
          'A user’s favourite items',
          { 200: ok('{ items }') },
          {
            parameters: [
              { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
            ],
          },
        ),
      },
      '/api/v1/items/{id}/reports': {
        post: op(
          'Report an item to the admins',
          { 201: ok('{ id }') },
          {
            parameters: [idParam],
            requestBody: json({
              type: 'object',
              required: ['reason'],
              properties: { reason: { type: 'string' } },
            }),
          },
        ),
      },
      '/api/v1/reports': {
        get: op('Open reports (admin)', { 200: ok('{ reports }') }, { security: bearer }),
      },
      '/api/v1/reports/{id}/resolve': {
        post: op(
          'Resolve a report (admin)',
          { 200: ok('{ id, resolved }') },
          {
            parameters: [idParam],
            security: bearer,
          },
        ),
      },
      '/api/v1/search': {
        get: op(
          'Full-text search with filters, sorts, pages and facets',
          {
            200: ok('Results', {
              type: 'object',
              properties: {
                total: { type: 'integer' },
                totalCapped: { type: 'boolean' },
                page: { type: 'integer' },
                perPage: { type: 'integer' },
                sort: { type: 'string' },
                items: {
                  type: 'array',
                  items: item,
                  description:
                    'Items as GET /api/v1/items/{id}. A hit inside captions adds `startSeconds` (the first cue holding every word) and `url` ends in `#t=<seconds>`.',
                },
                facets: {
                  type: 'object',
                  properties: Object.fromEntries(
                    ['type', 'license', 'tag', 'creator'].map((f) => [
                      f,
                      { $ref: '#/components/schemas/Facet' },
                    ]),
                  ),
                },
              },
            }),
          },
          {
            parameters: [
              ...['q', 'license', 'creator', 'channel', 'user'].map((name) => ({
                name,
                in: 'query',
                schema: { type: 'string' },
              })),
              {
                name: 'type',
                in: 'query',
                schema: { enum: ['video', 'audio', 'image', 'text', 'software', 'other'] },
              },
              { name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' }, maxItems: 5 } },
              { name: 'sort', in: 'query', schema: { enum: ['relevance', 'newest', 'oldest', 'title'] } },
              { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
              { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            ],
          },
        ),
      },
      '/api/v1/openapi.json': {
        get: op('This document', { 200: ok('OpenAPI 3.1') }),
      },
      ...uploadPaths(),
      ...captionPaths(),
      ...accountPaths(),
      ...siteAdminPaths(),
    },
  };
}

/** `/api/v1/items/:id` as OpenAPI writes it: `/api/v1/items/{id}`. */
export function openApiPath(fastifyUrl: string): string {
  return fastifyUrl.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
