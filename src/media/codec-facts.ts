/**
 * Codec facts: what decides whether a browser can play a file and how to make its derivatives, read
 * from the same ffprobe JSON as `media-facts.ts` (whose facts they extend): the container's brand and
 * the file's extension (browsers pick a player by the content type the extension gives), the moving
 * video stream's codec, profile, pixel format, bit depth, frame rate, pixel aspect and rotation, the
 * first audio stream's codec, channels and sample rate, and bitrates. Every field is checked as in
 * `media-facts.ts`: a wrong type or an implausible value becomes null. A PDF (which ffprobe cannot
 * read) is known by its extension. `probeCodecFacts` runs ffprobe and reads its answer; it never
 * rejects.
 */

import { type MediaFacts, mediaFacts } from './media-facts.js';
import { type MediaToolOptions, probeFile } from './probe.js';

export interface CodecFacts extends MediaFacts {
  /** The file name's extension, lower case, without the dot (`''` when none). */
  extension: string;
  /** The ISO-BMFF/QuickTime `major_brand` (`isom`, `qt  `, `M4A `...), else null. */
  brand: string | null;
  /** A moving video stream (not a cover picture). */
  hasVideo: boolean;
  hasAudio: boolean;
  /** ffprobe's index of the moving video stream, and of the first audio stream. */
  videoStream: number | null;
  audioStream: number | null;
  videoCodec: string | null;
  /** ffprobe's profile name, e.g. `High`, `Main 10`, `Profile 0`. */
  videoProfile: string | null;
  /** e.g. `yuv420p`, `yuv420p10le`. */
  pixelFormat: string | null;
  /** Bits per sample of the video (8 for `yuv420p`), null when unknown. */
  bitDepth: number | null;
  /** Frames per second (average, else nominal), null when unknown or implausible. */
  frameRate: number | null;
  /** Width of a pixel over its height (1 for square pixels). */
  pixelAspect: number;
  /** Display rotation in degrees (0, 90, 180, 270, or what the file says). */
  rotation: number;
  audioCodec: string | null;
  audioProfile: string | null;
  audioChannels: number | null;
  /** Hz. */
  sampleRate: number | null;
  /** Whole file, bits per second. */
  bitrate: number | null;
  videoBitrate: number | null;
  audioBitrate: number | null;
}

const MAX_BITRATE = 10_000_000_000;
const MAX_STREAMS = 256;

/** The codec facts for a file named `path` from ffprobe's parsed JSON (or `undefined` when it failed). */
export function codecFacts(json: unknown, path: string): CodecFacts {
  const base = mediaFacts(json, path);
  const facts = emptyCodecFacts(base, path);
  if (!base.probed || !isObject(json)) return facts;
  const format = isObject(json.format) ? json.format : {};
  const streams = (Array.isArray(json.streams) ? json.streams.slice(0, MAX_STREAMS) : []).filter(isObject);
  const tags = isObject(format.tags) ? format.tags : {};
  facts.brand =
    typeof tags.major_brand === 'string' && /^[\x20-\x7e]{1,8}$/.test(tags.major_brand)
      ? tags.major_brand
      : null;
  facts.bitrate = bitrate(format.bit_rate);

  const picture = streams.find((s) => s.index === base.thumbnailStream);
  if (picture && base.mediaType === 'image') {
    facts.pixelFormat = name(picture.pix_fmt);
    facts.pixelAspect = ratio(picture.sample_aspect_ratio) ?? 1;
  }
  const video = base.mediaType === 'video' ? picture : undefined;
  if (video) {
    facts.hasVideo = true;
    facts.videoStream = base.thumbnailStream;
    facts.videoCodec = name(video.codec_name);
    facts.videoProfile = text(video.profile);
    facts.pixelFormat = name(video.pix_fmt);
    facts.bitDepth = bitDepth(video.bits_per_raw_sample, facts.pixelFormat);
    facts.frameRate = rate(video.avg_frame_rate) ?? rate(video.r_frame_rate);
    facts.pixelAspect = ratio(video.sample_aspect_ratio) ?? 1;
    facts.rotation = rotationOf(video);
    facts.videoBitrate = bitrate(video.bit_rate);
  }
  const audio = streams.find((s) => s.codec_type === 'audio' && isIndex(s.index));
  if (audio) {
    facts.hasAudio = true;
    facts.audioStream = audio.index as number;
    facts.audioCodec = name(audio.codec_name);
    facts.audioProfile = text(audio.profile);
    facts.audioChannels = count(audio.channels, 64);
    facts.sampleRate = count(
      typeof audio.sample_rate === 'string' ? Number(audio.sample_rate) : audio.sample_rate,
      768_000,
    );
    facts.audioBitrate = bitrate(audio.bit_rate);
  }
  return facts;
}

export interface CodecProbeOptions extends MediaToolOptions {
  /**
   * The file's name as published (its extension gives the content type browsers see), when `path`
   * is where it is stored (a blob without an extension). Default: `path`.
   */
  name?: string;
}

/** Facts for the file at `path` from ffprobe (extension-based when ffprobe cannot read it, as for a PDF). */
export async function probeCodecFacts(path: string, options: CodecProbeOptions = {}): Promise<CodecFacts> {
  const name = options.name ?? path;
  if (extensionOf(name) === 'pdf') return codecFacts(undefined, name);
  const probe = await probeFile(path, options);
  return codecFacts(probe.ok ? probe.json : undefined, name);
}

/** True for a PDF (by extension: ffprobe cannot read PDFs). */
export function isPdf(facts: CodecFacts): boolean {
  return facts.extension === 'pdf' || facts.mimeType === 'application/pdf';
}

function emptyCodecFacts(base: MediaFacts, path: string): CodecFacts {
  return {
    ...base,
    extension: extensionOf(path),
    brand: null,
    hasVideo: false,
    hasAudio: false,
    videoStream: null,
    audioStream: null,
    videoCodec: null,
    videoProfile: null,
    pixelFormat: null,
    bitDepth: null,
    frameRate: null,
    pixelAspect: 1,
    rotation: 0,
    audioCodec: null,
    audioProfile: null,
    audioChannels: null,
    sampleRate: null,
    bitrate: null,
    videoBitrate: null,
    audioBitrate: null,
  };
}

function extensionOf(path: string): string {
  return /\.([A-Za-z0-9]{1,10})$/.exec(path)?.[1]?.toLowerCase() ?? '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function name(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z0-9_]{1,32}$/.test(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && /^[\x20-\x7e]{1,40}$/.test(value) ? value : null;
}

function count(value: unknown, max: number): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= max ? value : null;
}

function bitrate(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n <= MAX_BITRATE ? n : null;
}

/** `"30000/1001"` as a number, when it is a plausible frame rate (up to 1000 fps). */
function rate(value: unknown): number | null {
  const r = ratio(value);
  return r !== null && r <= 1000 ? r : null;
}

/** `"a/b"` or `"a:b"` with both positive, as a/b. */
function ratio(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{1,9})[/:](\d{1,9})$/.exec(value);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a <= 0 || b <= 0) return null;
  const r = a / b;
  return r >= 0.01 && r <= 100 * 1000 ? r : null;
}

/** Bits per sample from ffprobe's `bits_per_raw_sample`, else the pixel format's name. */
function bitDepth(raw: unknown, pixelFormat: string | null): number | null {
  const n = typeof raw === 'string' && /^\d{1,2}$/.test(raw) ? Number(raw) : null;
  if (n !== null && n >= 1 && n <= 32) return n;
  if (pixelFormat === null) return null;
  const m = /(\d{1,2})(le|be)$/.exec(pixelFormat);
  if (m) return Number(m[1]);
  return /^(yuvj?4[0-4][0-4]p|nv12|nv21|gray|rgb24|bgr24|gbrp|yuva420p|rgba|bgra|argb|abgr|pal8)$/.test(
    pixelFormat,
  )
    ? 8
    : null;
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
