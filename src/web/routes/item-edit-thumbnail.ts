/**
 * Thumbnails an owner uploads from the edit page (`item-edit-pages.ts`): the image type told by the
 * bytes' signature (JPEG, PNG, WebP; nothing else is stored), and the content type the thumbnail
 * route (`files.ts`) sends for a stored key (uploaded keys carry their extension; the media
 * analyzer's are JPEG).
 */

export const THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024;

/** The image type of a thumbnail's bytes by their signature, or undefined when none of ours. */
export function imageKind(bytes: Uint8Array): 'jpg' | 'png' | 'webp' | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  return undefined;
}

/** The content type of a thumbnail's blob key (uploaded ones carry their extension). */
export function thumbnailType(key: string): string {
  if (key.endsWith('.png')) return 'image/png';
  if (key.endsWith('.webp')) return 'image/webp';
  return 'image/jpeg';
}
