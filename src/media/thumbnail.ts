/**
 * A JPEG thumbnail of a media file with ffmpeg: for video, the frame at about a tenth of the duration
 * (1 s when the duration is unknown; the first frame when that seek finds nothing); for an image or an
 * audio file's cover, the picture. Scaled down (never up) to fit `maxSize` px on each side, square
 * pixels. The same hardened input as ffprobe (`probe.ts`), a pixel cap on decoding, a time limit, and
 * the JPEG read from ffmpeg's stdout with a size cap, so nothing is written to disk.
 */

import type { MediaFacts } from './media-facts.js';
import { hardenedInput, type MediaToolOptions } from './probe.js';
import { runTool } from './run-tool.js';

export interface ThumbnailOptions extends MediaToolOptions {
  /** Largest width and height in pixels (default 640). */
  maxSize?: number;
  /** Frames larger than this many pixels are not decoded (default 100 megapixels). */
  maxPixels?: number;
}

export const THUMBNAIL_TYPE = 'image/jpeg';
const MAX_JPEG = 4 * 1024 * 1024;

/** Where in a video to take its thumbnail, in seconds. */
export function thumbnailTime(durationMs: number | null): number {
  if (durationMs === null) return 1;
  return Math.round(durationMs / 10) / 1000;
}

/** The JPEG bytes, or undefined when the file has no picture ffmpeg can decode. */
export async function makeThumbnail(
  path: string,
  facts: MediaFacts,
  options: ThumbnailOptions = {},
): Promise<Buffer | undefined> {
  if (facts.thumbnailStream === null) return undefined;
  const maxPixels = options.maxPixels ?? 100_000_000;
  if (facts.width !== null && facts.height !== null && facts.width * facts.height > maxPixels)
    return undefined;
  const size = Math.max(16, Math.floor(options.maxSize ?? 640));
  const attempt = async (seek: number | null) => {
    const result = await runTool(
      options.ffmpeg ?? 'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-threads',
        '1',
        '-max_pixels',
        String(maxPixels),
        ...(seek === null ? [] : ['-ss', seek.toFixed(3)]),
        ...hardenedInput(path),
        '-map',
        `0:${facts.thumbnailStream}`,
        '-frames:v',
        '1',
        '-vf',
        `scale=w='min(${size},iw)':h='min(${size},ih)':force_original_aspect_ratio=decrease,setsar=1`,
        '-pix_fmt',
        'yuvj420p',
        '-q:v',
        '4',
        '-f',
        'image2pipe',
        '-c:v',
        'mjpeg',
        'pipe:1',
      ],
      { timeoutMs: options.timeoutMs ?? 30_000, maxStdout: MAX_JPEG, signal: options.signal },
    );
    return result.ok && isJpeg(result.stdout) ? result.stdout : undefined;
  };
  if (facts.still) return attempt(null);
  const seek = thumbnailTime(facts.durationMs);
  return (await attempt(seek)) ?? (seek > 0 ? attempt(null) : undefined);
}

/** A whole JPEG: starts with SOI and ends with EOI. */
export function isJpeg(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9;
}
