/**
 * Channel avatars and banners: reading an image from a multipart body (at most 5 MiB, refused
 * unless its first bytes are PNG, JPEG, WebP or GIF: the name and declared type are not trusted),
 * storing it in the blob store under `channels/<id>/<avatar|banner>.<ext>` (the old one removed),
 * and serving it at `/channels/:name/avatar` and `/banner` with its content type, an ETag, public
 * caching and `nosniff` (in a CSP sandbox, like every user file).
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Channel, ChannelRepository } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { BlobStore } from '../../storage/index.js';
import { type ImageExt, multipartFailure, readFilePart, sniffImage } from '../upload-parts.js';
import { notModified, userFileHeaders } from './served-bytes.js';

export const IMAGE_LIMIT = 5 * 1024 * 1024;
export type ImageKind = 'avatar' | 'banner';

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/**
 * The text fields and the image files (by field name, among `files`) of a multipart body; a file
 * over `IMAGE_LIMIT` is HTTP_TOO_LARGE naming its field; an empty file part is ignored.
 */
export async function readImageParts(
  request: FastifyRequest,
  files: readonly string[],
): Promise<{ fields: Record<string, string>; images: Partial<Record<string, Buffer>> }> {
  if (!request.isMultipart()) throw new SeedcastError('HTTP_UNSUPPORTED', 'send multipart/form-data');
  const fields: Record<string, string> = {};
  const images: Partial<Record<string, Buffer>> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (!files.includes(part.fieldname) || images[part.fieldname]) {
          part.file.resume();
          throw new SeedcastError('HTTP_BAD_REQUEST', `send one image part named "${files.join('" or "')}"`);
        }
        const field = part.fieldname;
        const bytes = await readFilePart(
          part.file,
          IMAGE_LIMIT,
          () => new SeedcastError('HTTP_TOO_LARGE', `${field}: an image of at most 5 MiB`),
        );
        if (bytes.length > 0) images[field] = bytes;
      } else if (
        typeof part.value === 'string' &&
        part.value.length <= 10_000 &&
        !(part.fieldname in fields)
      ) {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    multipartFailure(err);
  }
  return { fields, images };
}

/** Checks `bytes` are an image (CHANNEL_INVALID naming `field` otherwise). */
export function checkImage(bytes: Buffer, field: string): ImageExt {
  const ext = sniffImage(bytes);
  if (!ext) throw new SeedcastError('CHANNEL_INVALID', `${field}: not a PNG, JPEG, WebP or GIF image`);
  return ext;
}

/** Stores the image as the channel's avatar or banner (checked first); the channel after. */
export async function storeChannelImage(
  deps: { blobs: BlobStore; channels: ChannelRepository },
  channel: Channel,
  image: { kind: ImageKind; bytes: Buffer; field?: string },
): Promise<Channel> {
  const ext = checkImage(image.bytes, image.field ?? 'file');
  const key = `channels/${channel.id}/${image.kind}.${ext}`;
  await deps.blobs.put(key, image.bytes, { size: image.bytes.length, contentType: TYPES[ext] });
  const old = image.kind === 'avatar' ? channel.avatarKey : channel.bannerKey;
  const updated = await deps.channels.setImage(channel.id, image.kind, key);
  if (old && old !== key) await deps.blobs.delete(old).catch(() => undefined);
  return updated ?? channel;
}

/** Removes the channel's images from the blob store (when the channel goes). */
export async function removeChannelImages(blobs: BlobStore, channel: Channel): Promise<void> {
  for (const key of [channel.avatarKey, channel.bannerKey])
    if (key) await blobs.delete(key).catch(() => undefined);
}

/** Answers with the channel's avatar or banner (404 when it has none). */
export async function sendChannelImage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { blobs: BlobStore; channel: Channel | undefined; kind: ImageKind },
): Promise<FastifyReply> {
  const { channel, kind } = deps;
  const key = channel ? (kind === 'avatar' ? channel.avatarKey : channel.bannerKey) : null;
  const blob = key ? await deps.blobs.head(key) : undefined;
  if (!key || !blob) throw new SeedcastError('NOT_FOUND', `no ${kind}`);
  const ext = key.slice(key.lastIndexOf('.') + 1);
  const etag = `"${blob.etag}"`;
  userFileHeaders(reply)
    .type(TYPES[ext] ?? 'application/octet-stream')
    .header('Cache-Control', 'public, max-age=3600')
    .header('ETag', etag);
  if (notModified(request, etag)) return reply.code(304).send();
  reply.header('Content-Length', blob.size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(await deps.blobs.get(key));
}
