/**
 * ffprobe's JSON (`-show_format -show_streams`) read into plain facts about one file: its kind
 * (video, audio, image, text), container, main codec, content type, duration and dimensions, and
 * which stream a thumbnail can be taken from. The JSON comes from a tool run on an upload, so every
 * field is checked: wrong types are ignored, durations and sizes must be plausible (a header that
 * claims a thousand-year video gives no duration). When ffprobe recognised nothing, the facts fall
 * back to the type the file's extension names (`media.ts`), marked `probed: false`.
 */

import type { MediaType } from '../catalog/index.js';
import { contentTypeOf, mediaTypeOf } from './content-types.js';

export interface MediaFacts {
  mediaType: MediaType;
  /** True when ffprobe recognised the file; false for the extension-based fallback. */
  probed: boolean;
  /** ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string | null;
  /** The main stream's codec, e.g. `h264`. */
  codec: string | null;
  mimeType: string | null;
  durationMs: number | null;
  width: number | null;
  height: number | null;
  /** ffprobe's index of the stream to take a thumbnail from (video, image, or an audio file's cover). */
  thumbnailStream: number | null;
  /** Whether that stream is a still picture (an image or a cover) rather than moving video. */
  still: boolean;
}

/** Longest duration believed: 31 days. */
export const MAX_DURATION_MS = 31 * 24 * 3600 * 1000;
/** Largest width or height believed. */
export const MAX_DIMENSION = 65_535;
const MAX_STREAMS = 256;

interface Stream {
  index: number;
  type: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  attachedPicture: boolean;
  rotation: number;
}

const IMAGE_FORMATS = new Set(['gif', 'apng']);
const STILL_CODECS = new Set(['png', 'mjpeg', 'jpegls', 'webp', 'bmp', 'tiff', 'gif', 'qoi', 'jpegxl']);

/** The facts for a file named `path` from ffprobe's parsed JSON (or `undefined` when it failed). */
export function mediaFacts(json: unknown, path: string): MediaFacts {
  const fallback = fallbackFacts(path);
  if (!isObject(json)) return fallback;
  const format = isObject(json.format) ? json.format : {};
  const container = formatName(format.format_name);
  const streams = (Array.isArray(json.streams) ? json.streams.slice(0, MAX_STREAMS) : [])
    .map(readStream)
    .filter((s): s is Stream => s !== undefined);
  if (!container || streams.length === 0) return fallback;

  const names = container.split(',');
  const visual = streams.filter((s) => s.type === 'video' && s.width !== null && s.height !== null);
  const moving = visual.filter((s) => !s.attachedPicture);
  const audio = streams.find((s) => s.type === 'audio');
  const imageFormat = names.some((n) => n.endsWith('_pipe') || IMAGE_FORMATS.has(n));

  let mediaType: MediaType;
  let main: Stream | undefined;
  let picture: Stream | undefined;
  if (imageFormat && visual[0]) {
    mediaType = 'image';
    main = picture = visual[0];
  } else if (moving[0] && !(moving.length === 1 && isStillOnly(moving[0], audio))) {
    mediaType = 'video';
    main = picture = moving[0];
  } else if (audio) {
    mediaType = 'audio';
    main = audio;
    picture = visual[0];
  } else if (visual[0]) {
    mediaType = 'image';
    main = picture = visual[0];
  } else if (streams.some((s) => s.type === 'subtitle')) {
    mediaType = 'text';
    main = streams.find((s) => s.type === 'subtitle');
  } else {
    return fallback;
  }

  const duration =
    mediaType === 'image'
      ? null
      : (plausibleDuration(seconds(format.duration)) ??
        maxOrNull(streams.filter((s) => s.type === mediaType).map((s) => s.durationMs)));
  const sized = mediaType === 'video' || mediaType === 'image' ? main : undefined;
  const turned = sized ? Math.abs(sized.rotation) % 180 === 90 : false;
  return {
    mediaType,
    probed: true,
    container,
    codec: main?.codec ?? null,
    mimeType: mimeOf(names, mediaType, main?.codec ?? null, path),
    durationMs: duration,
    width: sized ? (turned ? sized.height : sized.width) : null,
    height: sized ? (turned ? sized.width : sized.height) : null,
    thumbnailStream: picture?.index ?? null,
    still: picture ? mediaType !== 'video' : false,
  };
}

/** What the extension says, when ffprobe cannot tell. */
export function fallbackFacts(path: string): MediaFacts {
  const mime = contentTypeOf(path);
  return {
    mediaType: mediaTypeOf([{ path, length: 1 }]),
    probed: false,
    container: null,
    codec: null,
    mimeType: mime === 'application/octet-stream' ? null : mime,
    durationMs: null,
    width: null,
    height: null,
    thumbnailStream: null,
    still: false,
  };
}

/** A single still picture in a video container (a poster, one frame) with no sound is an image. */
function isStillOnly(stream: Stream, audio: Stream | undefined): boolean {
  return !audio && stream.codec !== null && STILL_CODECS.has(stream.codec) && stream.durationMs === null;
}

function readStream(value: unknown): Stream | undefined {
  if (!isObject(value)) return undefined;
  const index = value.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return undefined;
  const type = typeof value.codec_type === 'string' ? value.codec_type : '';
  const codec =
    typeof value.codec_name === 'string' && /^[a-z0-9_]{1,32}$/.test(value.codec_name)
      ? value.codec_name
      : null;
  const disposition = isObject(value.disposition) ? value.disposition : {};
  const width = dimension(value.width);
  const height = dimension(value.height);
  return {
    index,
    type,
    codec,
    width: width !== null && height !== null ? width : null,
    height: width !== null && height !== null ? height : null,
    durationMs: plausibleDuration(seconds(value.duration)),
    attachedPicture: disposition.attached_pic === 1,
    rotation: rotationOf(value),
  };
}

/** Rotation in degrees from the display matrix side data or the older `rotate` tag. */
function rotationOf(stream: Record<string, unknown>): number {
  if (Array.isArray(stream.side_data_list)) {
    for (const side of stream.side_data_list) {
      if (isObject(side) && typeof side.rotation === 'number' && Number.isFinite(side.rotation)) {
        return Math.round(side.rotation);
      }
    }
  }
  const tags = isObject(stream.tags) ? stream.tags : {};
  const rotate = typeof tags.rotate === 'string' ? Number(tags.rotate) : Number.NaN;
  return Number.isFinite(rotate) ? Math.round(rotate) : 0;
}

function dimension(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_DIMENSION
    ? value
    : null;
}

/** ffprobe prints durations as decimal text in seconds (`"2.000000"`), sometimes `"N/A"`. */
function seconds(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (!/^\d{1,12}(\.\d{1,12})?$/.test(text)) return null;
  return Number(text);
}

function plausibleDuration(s: number | null): number | null {
  if (s === null || !Number.isFinite(s) || s <= 0) return null;
  const ms = Math.round(s * 1000);
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : null;
}

function maxOrNull(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

function formatName(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z0-9_]+(,[a-z0-9_]+)*$/.test(value) && value.length <= 100
    ? value
    : null;
}

/** The content type for a recognised file: the extension's when it names the same kind, else the container's. */
function mimeOf(names: string[], kind: MediaType, codec: string | null, path: string): string | null {
  const byExtension = contentTypeOf(path);
  if (byExtension.startsWith(`${kind}/`)) return byExtension;
  const has = (n: string) => names.includes(n);
  const av = (video: string, audio: string) => (kind === 'video' ? video : kind === 'audio' ? audio : null);
  if (has('mp4') || has('mov')) return av('video/mp4', 'audio/mp4');
  if (has('webm') || has('matroska')) {
    const web = codec !== null && ['vp8', 'vp9', 'av1', 'opus', 'vorbis'].includes(codec);
    return av(web ? 'video/webm' : 'video/x-matroska', web ? 'audio/webm' : 'audio/x-matroska');
  }
  if (has('ogg')) return av('video/ogg', 'audio/ogg');
  if (has('asf')) return av('video/x-ms-asf', 'audio/x-ms-wma');
  const single: Record<string, string> = {
    mp3: 'audio/mpeg',
    flac: 'audio/flac',
    wav: 'audio/wav',
    aac: 'audio/aac',
    aiff: 'audio/aiff',
    avi: 'video/x-msvideo',
    mpegts: 'video/mp2t',
    mpeg: 'video/mpeg',
    flv: 'video/x-flv',
    gif: 'image/gif',
    apng: 'image/apng',
    png_pipe: 'image/png',
    jpeg_pipe: 'image/jpeg',
    webp_pipe: 'image/webp',
    bmp_pipe: 'image/bmp',
    tiff_pipe: 'image/tiff',
    gif_pipe: 'image/gif',
  };
  const found = names.map((n) => single[n]).find((m) => m !== undefined);
  return found?.startsWith(`${kind}/`) ? found! : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
