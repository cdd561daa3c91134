/**
 * The schemas of tus 1.0 resumable uploads (`routes/uploads.ts`, https://tus.io/protocols/resumable-upload):
 * the request headers each operation reads and the headers it answers with. The bodies are bytes
 * (`application/offset+octet-stream`), read as a stream by the route, so they are described, not parsed.
 */

import { empty, errors, signedIn } from './common.js';

const tags = ['uploads'];
const header = (description: string) => ({ type: 'string', description });
const tusResumable = header('Always 1.0.0 (a request with another version is answered 412)');
const uploadParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: "The upload's id (the end of its Location)" } },
} as const;

const requestHeaders = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties: { 'tus-resumable': tusResumable, ...properties },
});

const offsetHeaders = {
  'Tus-Resumable': tusResumable,
  'Upload-Offset': header('Bytes received so far'),
  'Upload-Expires': header('When an unfinished upload is removed (HTTP date)'),
};

const bytes = {
  'application/offset+octet-stream': {
    type: 'string',
    format: 'binary',
    description: 'The bytes from Upload-Offset on',
  },
};

const appendHeaders = {
  'upload-offset': header('Where these bytes start (the current offset)'),
  'upload-length': header('The total length, when creation deferred it'),
  'upload-checksum': header("`sha1 <base64>` or `sha256 <base64>` of this request's bytes"),
  'content-type': header('application/offset+octet-stream'),
};

export const tusSchemas = {
  describe: {
    summary: "tus 1.0: the server's version, extensions, maximum size and checksum algorithms",
    tags,
    response: {
      204: {
        ...empty('Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm'),
        headers: {
          'Tus-Version': header('1.0.0'),
          'Tus-Extension': header(
            'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum',
          ),
          'Tus-Max-Size': header('The largest upload in bytes'),
          'Tus-Checksum-Algorithm': header('sha1,sha256'),
        },
      },
    },
  },
  describeOne: {
    summary: "tus 1.0: the server's capabilities (as OPTIONS /api/v1/uploads)",
    tags,
    params: uploadParams,
    response: { 204: empty('Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm') },
  },
  create: {
    summary:
      'tus 1.0 creation: Upload-Length (or Upload-Defer-Length: 1) and Upload-Metadata (filename); bytes may follow (creation-with-upload)',
    tags,
    security: signedIn,
    headers: requestHeaders({
      'upload-length': header("The upload's total length in bytes"),
      'upload-defer-length': header('1: the length comes with a later PATCH'),
      'upload-metadata': header('`filename <base64>`, comma-separated pairs'),
      'upload-checksum': header('Of the bytes sent with the creation: `sha256 <base64>`'),
    }),
    bodyContent: bytes,
    response: {
      201: {
        ...empty('Created: its Location, and the offset reached'),
        headers: { Location: header("The upload's URL"), ...offsetHeaders },
      },
      ...errors,
    },
  },
  head: {
    summary: "tus 1.0: the upload's offset, length and metadata",
    tags,
    security: signedIn,
    params: uploadParams,
    headers: requestHeaders({}),
    response: {
      200: {
        ...empty('Upload-Offset, Upload-Length (or Upload-Defer-Length), Upload-Metadata'),
        headers: {
          ...offsetHeaders,
          'Upload-Length': header('The total length'),
          'Upload-Defer-Length': header('1 while the length is not known'),
          'Upload-Metadata': header('As sent at creation'),
        },
      },
      ...errors,
    },
  },
  patch: {
    summary: 'tus 1.0: append bytes at Upload-Offset (Content-Type: application/offset+octet-stream)',
    tags,
    security: signedIn,
    params: uploadParams,
    headers: requestHeaders(appendHeaders),
    bodyContent: bytes,
    response: { 204: { ...empty('Appended: the new Upload-Offset'), headers: offsetHeaders }, ...errors },
  },
  override: {
    summary:
      'tus 1.0: PATCH, HEAD or DELETE through X-HTTP-Method-Override (clients that send only GET and POST)',
    tags,
    security: signedIn,
    params: uploadParams,
    headers: requestHeaders({
      'x-http-method-override': header('PATCH, HEAD or DELETE'),
      ...appendHeaders,
    }),
    response: {
      200: { ...empty('As HEAD'), headers: offsetHeaders },
      204: { ...empty('As PATCH or DELETE'), headers: offsetHeaders },
      ...errors,
    },
  },
  terminate: {
    summary: 'tus 1.0 termination: remove the upload and its bytes',
    tags,
    security: signedIn,
    params: uploadParams,
    headers: requestHeaders({}),
    response: { 204: empty('Removed'), ...errors },
  },
};
