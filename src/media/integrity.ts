/**
 * Subresource Integrity strings for files (`sha384-<base64>`), as the podcast namespace's
 * `podcast:integrity` and HTML's `integrity` attribute take them. The file is hashed as it streams,
 * never read whole into memory.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** `sha384-<base64 of the file's SHA-384>`; rejects when the file cannot be read. */
export async function sha384Integrity(path: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const hash = createHash('sha384');
  for await (const chunk of createReadStream(path, { signal: options.signal })) hash.update(chunk as Buffer);
  return `sha384-${hash.digest('base64')}`;
}
