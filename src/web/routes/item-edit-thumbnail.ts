/**
 * Thumbnails an owner uploads from the edit page (`item-edit-pages.ts`): the image type told by the
 * bytes' signature (JPEG, PNG, WebP; nothing else is stored), and the content type the thumbnail
 * route (`files.ts`) sends for a stored key (uploaded keys carry their extension; the media
 * analyzer's are JPEG).
 */

import { sniffImage } from '../upload-parts.js';

export const THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024;

/** The image type of a thumbnail's bytes by their signature, or undefined when none of ours (no GIF). */
export function imageKind(bytes: Uint8Array): 'jpg' | 'png' | 'webp' | undefined {
  const ext = sniffImage(bytes);
  return ext === 'gif' ? undefined : ext;
}

/** The content type of a thumbnail's blob key (uploaded ones carry their extension). */
export function thumbnailType(key: string): string {
  if (key.endsWith('.png')) return 'image/png';
  if (key.endsWith('.webp')) return 'image/webp';
  return 'image/jpeg';
}
