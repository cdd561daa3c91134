/**
 * The OpenAPI 3.1 paths of tus 1.0 resumable uploads (https://tus.io/protocols/resumable-upload):
 * creating an upload, reading its offset, appending, terminating; `openapi.ts` spreads them into the
 * site's document.
 */

type Op = Record<string, unknown>;

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];

function op(summary: string, responses: Record<string, unknown>, extra: Op = {}): Op {
  return { summary, responses: { ...responses, '4XX': error }, ...extra };
}

const tusHeaders = {
  'Tus-Resumable': { schema: { type: 'string', const: '1.0.0' } },
  'Upload-Offset': { schema: { type: 'integer' } },
};

export function uploadPaths(): Record<string, unknown> {
  return {
    '/api/v1/uploads': {
      options: op('tus 1.0: the server’s version, extensions and maximum size', {
        204: { description: 'Tus-Version, Tus-Extension, Tus-Max-Size' },
      }),
      post: op(
        'tus 1.0 creation: Upload-Length (or Upload-Defer-Length) and Upload-Metadata',
        {
          201: {
            description: 'Location of the new upload',
            headers: { Location: { schema: { type: 'string' } } },
          },
        },
        { security: bearer },
      ),
    },
    '/api/v1/uploads/{id}': {
      options: op(
        'tus 1.0: capabilities',
        { 204: { description: 'Tus-Version, Tus-Extension' } },
        {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        },
      ),
      head: op(
        'tus 1.0: the upload’s offset',
        { 200: { description: 'Upload-Offset, Upload-Length', headers: tusHeaders } },
        {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          security: bearer,
        },
      ),
      patch: op(
        'tus 1.0: append bytes at Upload-Offset (application/offset+octet-stream)',
        {
          204: { description: 'The new Upload-Offset', headers: tusHeaders },
        },
        {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          security: bearer,
          requestBody: {
            content: {
              'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
        },
      ),
      post: op(
        'tus 1.0: PATCH or DELETE through X-HTTP-Method-Override',
        { 204: { description: 'As the overridden method' } },
        {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          security: bearer,
        },
      ),
      delete: op(
        'tus 1.0 termination',
        { 204: { description: 'Terminated' } },
        {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          security: bearer,
        },
      ),
    },
  };
}
