/**
 * Which derivatives an original gets (the ladder), decided from its codec facts alone, as plain
 * JSON-safe plans that `derivative-command.ts` turns into ffmpeg or pdftoppm runs:
 *   - video: H.264/AAC MP4 (`+faststart`) at the source size capped at 1080p (the short side at most
 *     1080 px, the long side at most 1920 px), plus 720p and 360p rungs where the source is larger;
 *     an original that already plays everywhere gets only the rungs below its own size, and only
 *     when it is larger than 720p. Always a poster JPEG and, when the duration is known, a storyboard
 *     (a JPEG sprite of up to 10x10 tiles 160 px wide, one every `interval` seconds);
 *   - audio: MP3 at 128 kb/s (mono or stereo, 32, 44.1 or 48 kHz) unless the original plays
 *     everywhere; always a waveform PNG;
 *   - image: a web-size JPEG (at most 2048 px on its longest side) when the original is not a web
 *     picture or is larger than that;
 *   - PDF: its first page as a PNG.
 * Sizes keep the display aspect (pixel aspect and rotation included) and are even.
 */

import { type CodecFacts, isPdf } from './codec-facts.js';
import { playsEverywhere } from './plays-everywhere.js';
import type { DerivativeKind } from './view.js';

/** How the storyboard sprite is laid out: tile `i` (row-major) shows the time `i * interval` s. */
export interface StoryboardLayout {
  /** Seconds between tiles. */
  interval: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  /** Tiles in use (the last row may be partly empty). */
  count: number;
}

export interface VideoEncoding {
  /** ffprobe's index of the video stream to read. */
  stream: number;
  /** x264 constant rate factor. */
  crf: number;
  /** Bits per second the video may peak at (`-maxrate`; `-bufsize` is twice it). */
  maxrate: number;
  /** H.264 level, e.g. `4.1`. */
  level: string;
  /** Frames per second to cap at (60), or null to keep the source's. */
  maxFps: number | null;
  /** Keyframe interval in frames (about two seconds). */
  gop: number;
}

export interface AudioEncoding {
  /** ffprobe's index of the audio stream to read. */
  stream: number;
  codec: 'aac' | 'mp3';
  bitrate: number;
  channels: number;
  sampleRate: number;
}

export interface DerivativePlan {
  kind: DerivativeKind;
  /** Short name for menus: `1080p`, `720p`, `mp3`, `web`, `poster`, `storyboard`, `waveform`, `page`. */
  label: string;
  /** The file's name among the item's derivatives (unique per item). */
  fileName: string;
  mime: string;
  width?: number;
  height?: number;
  /** Bits per second the file is made for (video peak plus audio). */
  bitrate?: number;
  /** Seconds of the source the run reads (for progress and its time limit), when known. */
  seconds?: number;
  video?: VideoEncoding;
  audio?: AudioEncoding;
  /** The picture stream to read for a poster, image or storyboard. */
  stream?: number;
  /** Where to take a poster, in seconds. */
  at?: number;
  storyboard?: StoryboardLayout;
}

export interface PlanOptions {
  /** Largest short side of a video derivative (default 1080). */
  maxHeight?: number;
  /** Lower rungs, short side in px (default [720, 360]). */
  rungs?: readonly number[];
  /** A playable original gets lower rungs only when its short side is above this (default 720). */
  lowerRungsAbove?: number;
  /** Largest side of a web image (default 2048). */
  maxImageSide?: number;
  /** MP3 and AAC bitrate, bits per second (default 128000). */
  audioBitrate?: number;
  /** x264 CRF (default 23). */
  crf?: number;
  /** Storyboard tiles: width in px (160), columns (10), most tiles (100). */
  storyboard?: { tileWidth?: number; columns?: number; maxTiles?: number };
}

/** MPEG-1 Layer III rates (lower ones cannot carry 128 kb/s). */
const MP3_RATES = [32_000, 44_100, 48_000];
const WAVEFORM = { width: 1600, height: 200 };

/** The derivatives to make for an original with these facts (empty when nothing is needed or possible). */
export function planDerivatives(facts: CodecFacts, options: PlanOptions = {}): DerivativePlan[] {
  if (isPdf(facts)) {
    return [{ kind: 'page', label: 'page', fileName: 'page-1.png', mime: 'image/png' }];
  }
  if (!facts.probed) return [];
  if (facts.mediaType === 'video' && facts.hasVideo) return planVideo(facts, options);
  if (facts.mediaType === 'audio' && facts.hasAudio) return planAudio(facts, options);
  if (facts.mediaType === 'image') return planImage(facts, options);
  return [];
}

function planVideo(facts: CodecFacts, options: PlanOptions): DerivativePlan[] {
  const source = displaySize(facts);
  if (!source || facts.videoStream === null) return [];
  const maxHeight = options.maxHeight ?? 1080;
  const rungs = [...(options.rungs ?? [720, 360])].filter((r) => r < maxHeight).sort((a, b) => b - a);
  const short = Math.min(source.width, source.height);
  const seconds = facts.durationMs === null ? undefined : facts.durationMs / 1000;
  const plans: DerivativePlan[] = [];

  let boxes: number[];
  if (playsEverywhere(facts)) {
    boxes = short > (options.lowerRungsAbove ?? 720) ? [maxHeight, ...rungs].filter((r) => short > r) : [];
  } else {
    boxes = [maxHeight, ...rungs.filter((r) => short > r)];
  }
  const audio =
    facts.hasAudio && facts.audioStream !== null ? audioEncoding(facts, 'aac', options) : undefined;
  const fps = facts.frameRate;
  for (const box of boxes) {
    const size = fit(source, box);
    const scaled = Math.min(size.width, size.height) < short;
    const label = `${scaled ? box : Math.min(size.width, size.height)}p`;
    const maxrate = maxrateFor(Math.min(size.width, size.height));
    const rate = fps === null ? 30 : Math.min(fps, 60);
    plans.push({
      kind: 'video',
      label,
      fileName: `video-${label}.mp4`,
      mime: 'video/mp4',
      ...size,
      bitrate: maxrate + (audio?.bitrate ?? 0),
      ...(seconds === undefined ? {} : { seconds }),
      video: {
        stream: facts.videoStream,
        crf: options.crf ?? 23,
        maxrate,
        level: h264Level(size.width, size.height, rate),
        maxFps: fps !== null && fps > 60 ? 60 : null,
        gop: Math.max(1, Math.round(rate * 2)),
      },
      ...(audio ? { audio } : {}),
    });
  }

  const poster = fit(source, maxHeight);
  plans.push({
    kind: 'poster',
    label: 'poster',
    fileName: 'poster.jpg',
    mime: 'image/jpeg',
    ...poster,
    stream: facts.videoStream,
    at: seconds === undefined ? 0 : Math.round(seconds * 100) / 1000,
  });
  if (seconds !== undefined) {
    const layout = storyboardLayout(source, seconds, options.storyboard);
    plans.push({
      kind: 'storyboard',
      label: 'storyboard',
      fileName: 'storyboard.jpg',
      mime: 'image/jpeg',
      width: layout.columns * layout.tileWidth,
      height: layout.rows * layout.tileHeight,
      seconds,
      stream: facts.videoStream,
      storyboard: layout,
    });
  }
  return plans;
}

function planAudio(facts: CodecFacts, options: PlanOptions): DerivativePlan[] {
  const seconds = facts.durationMs === null ? undefined : facts.durationMs / 1000;
  const timed = seconds === undefined ? {} : { seconds };
  const plans: DerivativePlan[] = [];
  if (!playsEverywhere(facts) && facts.audioStream !== null) {
    const audio = audioEncoding(facts, 'mp3', options);
    plans.push({
      kind: 'audio',
      label: 'mp3',
      fileName: 'audio.mp3',
      mime: 'audio/mpeg',
      bitrate: audio.bitrate,
      ...timed,
      audio,
    });
  }
  if (facts.audioStream !== null) {
    plans.push({
      kind: 'waveform',
      label: 'waveform',
      fileName: 'waveform.png',
      mime: 'image/png',
      ...WAVEFORM,
      ...timed,
      stream: facts.audioStream,
    });
  }
  return plans;
}

function planImage(facts: CodecFacts, options: PlanOptions): DerivativePlan[] {
  const source = displaySize(facts);
  if (!source || facts.thumbnailStream === null) return [];
  const max = options.maxImageSide ?? 2048;
  if (playsEverywhere(facts) && Math.max(source.width, source.height) <= max) return [];
  const scale = Math.min(1, max / Math.max(source.width, source.height));
  return [
    {
      kind: 'image',
      label: 'web',
      fileName: 'image-web.jpg',
      mime: 'image/jpeg',
      width: even(source.width * scale),
      height: even(source.height * scale),
      stream: facts.thumbnailStream,
    },
  ];
}

/** The storyboard's tiles for a video of this size and length. */
export function storyboardLayout(
  source: { width: number; height: number },
  seconds: number,
  options: PlanOptions['storyboard'] = {},
): StoryboardLayout {
  const tileWidth = even(options.tileWidth ?? 160);
  const maxTiles = Math.max(1, Math.floor(options.maxTiles ?? 100));
  const interval = Math.max(1, Math.ceil(seconds / maxTiles));
  const count = Math.min(maxTiles, Math.max(1, Math.ceil(seconds / interval)));
  const columns = Math.min(count, Math.max(1, Math.floor(options.columns ?? 10)));
  return {
    interval,
    tileWidth,
    tileHeight: even((tileWidth * source.height) / source.width),
    columns,
    rows: Math.ceil(count / columns),
    count,
  };
}

/** The largest even size with the source's aspect within a `box`p frame (short side `box`, long side 16:9 of it). */
export function fit(
  source: { width: number; height: number },
  box: number,
): { width: number; height: number } {
  const short = Math.min(source.width, source.height);
  const long = Math.max(source.width, source.height);
  const scale = Math.min(1, box / short, Math.round((box * 16) / 9) / long);
  return { width: even(source.width * scale), height: even(source.height * scale) };
}

/** The H.264 level a stream of this size and frame rate needs (3.0 to 5.1; High profile). */
export function h264Level(width: number, height: number, fps: number): string {
  const frame = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = frame * fps;
  const levels: [string, number, number][] = [
    ['3.0', 1620, 40_500],
    ['3.1', 3600, 108_000],
    ['3.2', 5120, 216_000],
    ['4.1', 8192, 245_760],
    ['4.2', 8704, 522_240],
    ['5.0', 22_080, 589_824],
    ['5.1', 36_864, 983_040],
  ];
  return levels.find(([, f, s]) => frame <= f && perSecond <= s)?.[0] ?? '5.1';
}

/** The peak video bitrate for a rung, by its short side. */
function maxrateFor(short: number): number {
  if (short <= 240) return 500_000;
  if (short <= 360) return 900_000;
  if (short <= 480) return 1_500_000;
  if (short <= 720) return 3_000_000;
  return 6_000_000;
}

function audioEncoding(facts: CodecFacts, codec: 'aac' | 'mp3', options: PlanOptions): AudioEncoding {
  const rate = facts.sampleRate ?? 48_000;
  const kept = codec === 'mp3' ? MP3_RATES : [44_100, 48_000];
  const sampleRate = kept.includes(rate) ? rate : rate % 11_025 === 0 ? 44_100 : 48_000;
  return {
    stream: facts.audioStream ?? 0,
    codec,
    bitrate: options.audioBitrate ?? 128_000,
    channels: Math.min(2, facts.audioChannels ?? 2),
    sampleRate,
  };
}

/** The picture's size as shown: pixel aspect applied, width and height swapped when rotated (media-facts.ts does that). */
function displaySize(facts: CodecFacts): { width: number; height: number } | undefined {
  if (facts.width === null || facts.height === null) return undefined;
  const turned = Math.abs(facts.rotation) % 180 === 90;
  const aspect = facts.pixelAspect > 0 ? facts.pixelAspect : 1;
  return turned
    ? { width: facts.width, height: Math.max(1, Math.round(facts.height * aspect)) }
    : { width: Math.max(1, Math.round(facts.width * aspect)), height: facts.height };
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}
