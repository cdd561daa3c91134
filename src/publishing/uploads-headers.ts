/**
 * The tus 1.0 request headers that carry data (https://tus.io/protocols/resumable-upload):
 * `Upload-Metadata` (creation) and `Upload-Checksum` (checksum extension), parsed at the edge into
 * values `uploads.ts` uses; malformed ones are UPLOAD_INVALID, an unknown checksum algorithm
 * UPLOAD_CHECKSUM_ALGORITHM.
 */

import { SeedcastError } from '../errors.js';

export type ChecksumAlgorithm = 'sha1' | 'sha256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha1', 'sha256'];

/**
 * Parses tus `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be left out);
 * keys are unique ASCII without spaces or commas. Values are decoded as UTF-8.
 */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return out;
  if (header.length > 8192) throw new SeedcastError('UPLOAD_INVALID', 'Upload-Metadata: too long');
  for (const pair of header.split(',')) {
    const parts = pair.trim().split(' ');
    const [key, value, ...rest] = parts;
    if (!key || rest.length > 0 || !/^[\x21-\x2b\x2d-\x7e]+$/.test(key)) {
      throw new SeedcastError('UPLOAD_INVALID', 'Upload-Metadata: "key base64value" pairs, comma-separated');
    }
    if (Object.hasOwn(out, key)) throw new SeedcastError('UPLOAD_INVALID', `Upload-Metadata: ${key} twice`);
    if (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new SeedcastError('UPLOAD_INVALID', `Upload-Metadata: ${key} is not base64`);
    }
    out[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

/** Parses tus `Upload-Checksum: <algorithm> <base64 digest>`. */
export function parseUploadChecksum(
  header: string | undefined,
): { algorithm: ChecksumAlgorithm; digest: Buffer } | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})\s*$/.exec(header);
  if (!match) throw new SeedcastError('UPLOAD_INVALID', 'Upload-Checksum: "<algorithm> <base64 digest>"');
  const algorithm = match[1]!.toLowerCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(algorithm)) {
    throw new SeedcastError('UPLOAD_CHECKSUM_ALGORITHM', `use one of ${CHECKSUM_ALGORITHMS.join(', ')}`);
  }
  return { algorithm, digest: Buffer.from(match[2]!, 'base64') };
}
