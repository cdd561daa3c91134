/**
 * The OpenAPI 3.1 paths of captions and chapters (issue 18); `openapi.ts` spreads them into the
 * site's document. The files themselves (`/items/:id/captions/<lang>.vtt`, `/items/:id/chapters.json`)
 * are outside `/api/v1` and described in docs/api.md.
 */

type Op = Record<string, unknown>;

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string) => ({ description, ...json({ type: 'object' }) });
const path = (name: string, type: string) => ({ name, in: 'path', required: true, schema: { type } });

function op(summary: string, responses: Record<string, unknown>, extra: Op = {}): Op {
  return { summary, responses: { ...responses, '4XX': error }, ...extra };
}

const caption = {
  type: 'object',
  properties: {
    language: { type: 'string', description: 'BCP 47 tag, canonical case (en, pt-BR).' },
    label: { type: 'string' },
    kind: { type: 'string', enum: ['captions', 'subtitles'] },
    url: { type: 'string', description: 'The WebVTT file: /items/{id}/captions/{language}.vtt' },
    cues: { type: 'integer' },
    bytes: { type: 'integer' },
  },
};

const chapters = {
  type: 'object',
  description: 'Podcast namespace JSON chapters 1.2.0 (sorted by startTime; at most 500).',
  required: ['chapters'],
  properties: {
    version: { type: 'string', example: '1.2.0' },
    title: { type: 'string' },
    chapters: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['startTime', 'title'],
        properties: {
          startTime: { type: 'number', minimum: 0, description: 'Seconds.' },
          endTime: { type: 'number' },
          title: { type: 'string', maxLength: 300 },
          img: { type: 'string', format: 'uri' },
          url: { type: 'string', format: 'uri' },
          toc: { type: 'boolean' },
        },
      },
    },
  },
};

export function captionPaths(): Record<string, unknown> {
  const id = [path('id', 'integer')];
  return {
    '/api/v1/items/{id}/captions': {
      get: op(
        "An item's captions",
        { 200: ok('{ captions: [{ language, label, kind, url, cues, bytes }] }') },
        {
          parameters: id,
        },
      ),
      post: op(
        'Add captions in one language (owner or admin; replaces that language)',
        { 201: { description: 'The stored captions', ...json(caption) } },
        {
          security: bearer,
          parameters: id,
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file', 'language'],
                  properties: {
                    file: {
                      type: 'string',
                      format: 'binary',
                      description:
                        'WebVTT or SRT, UTF-8 (a byte order mark is fine), at most 2 MiB, 20,000 cues.',
                    },
                    language: { type: 'string', description: 'BCP 47 tag (en, fr, pt-BR).' },
                    label: { type: 'string', maxLength: 100, description: "Default: the language's name." },
                    kind: { type: 'string', enum: ['captions', 'subtitles'], default: 'captions' },
                  },
                },
              },
            },
          },
        },
      ),
    },
    '/api/v1/items/{id}/captions/{language}': {
      delete: op(
        'Remove the captions in one language (owner or admin)',
        { 204: { description: 'Removed' } },
        {
          security: bearer,
          parameters: [...id, path('language', 'string')],
        },
      ),
    },
    '/api/v1/items/{id}/chapters': {
      get: op(
        "An item's chapters (an empty list when it has none)",
        { 200: ok('{ version, chapters, url }') },
        {
          parameters: id,
        },
      ),
      put: op(
        'Set the chapters (owner or admin; an empty list removes them)',
        { 200: ok('{ version, chapters, url }') },
        {
          security: bearer,
          parameters: id,
          requestBody: { required: true, ...json(chapters) },
        },
      ),
    },
  };
}
