/**
 * Pieces every multipart upload route shares (channel avatars and banners, item thumbnails,
 * caption files): an image's type told by its first bytes (the name and declared type are not
 * trusted), a file part read into memory up to a size limit, and a multipart parser's failure
 * turned into a 400 (Fastify's own errors, which carry a status, pass through).
 */

import { isSeedcastError, SeedcastError } from '../errors.js';

export type ImageExt = 'png' | 'jpg' | 'webp' | 'gif';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image's extension from its magic bytes, or undefined when it is none of PNG, JPEG, WebP, GIF. */
export function sniffImage(bytes: Uint8Array): ImageExt | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'gif';
  return undefined;
}

/**
 * A file part's bytes, at most `limit` of them: past it the rest of the part is drained and
 * `tooLarge()` is thrown.
 */
export async function readFilePart(
  file: NodeJS.ReadableStream,
  limit: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      file.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Rethrows an error met while reading a multipart body: ours and Fastify's as they are, others as a 400. */
export function multipartFailure(err: unknown): never {
  if (isSeedcastError(err) || !(err instanceof Error)) throw err;
  if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
  throw new SeedcastError('HTTP_BAD_REQUEST', `multipart body: ${err.message.slice(0, 200)}`, { cause: err });
}
