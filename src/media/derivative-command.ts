/**
 * The exact command line for each derivative plan (`derivative-plan.ts`), exported so that the
 * transcode benchmark runs by hand what the queue runs. ffmpeg gets the hardened input of
 * `probe.ts` (the `file` protocol and ordinary demuxers only), no stdin, a decoding pixel cap, a
 * thread count, `-progress pipe:1` (key=value lines on stdout), `-fs` (an output size cap), `-t` on the
 * input (it reads at most twice the duration the source claims, plus 30 s), metadata and chapters dropped (a phone's
 * location stays in the original only), an explicit muxer (the output is a temporary name) and
 * `-y` (the caller owns that temporary file). Video is x264 `veryfast`, CRF 23 with a peak rate,
 * High profile at the level its size needs, 8-bit 4:2:0, keyframes every 2 s, AAC 128 kb/s, MP4 with
 * the index first (`+faststart`). Pictures are JPEG (a transparent image on white) or PNG. A PDF's
 * first page is drawn by poppler's `pdftoppm`, scaled to 1024 px on its longest side, which writes
 * `<output>.png` when `output` does not end in `.png` (`writes` says where).
 */

import { availableParallelism } from 'node:os';
import type { DerivativePlan } from './derivative-plan.js';
import { hardenedInput } from './probe.js';

export interface DerivativeCommand {
  command: string;
  args: string[];
  /** The file the command writes. */
  writes: string;
}

export interface CommandOptions {
  /** Output size cap in bytes (ffmpeg's `-fs`; default 16 GiB). */
  maxBytes?: number;
  /** Encoder and decoder threads (default: the machine's cores, at most 4). */
  threads?: number;
  /** Frames larger than this many pixels are not decoded (default 100 megapixels). */
  maxPixels?: number;
  /** Commands (default `ffmpeg`, `pdftoppm` on PATH). */
  ffmpeg?: string;
  pdftoppm?: string;
}

export const DEFAULT_MAX_BYTES = 16 * 1024 ** 3;
/** Longest side of a PDF's page image. */
export const PAGE_SIZE = 1024;

/** The command that makes `plan` from `input` into `output` (absolute paths). */
export function derivativeCommand(
  plan: DerivativePlan,
  paths: { input: string; output: string },
  options: CommandOptions = {},
): DerivativeCommand {
  const { input, output } = paths;
  if (!output.startsWith('/')) throw new Error(`derivative output must be an absolute path: ${output}`);
  if (plan.kind === 'page') {
    if (!input.startsWith('/')) throw new Error(`media input must be an absolute path: ${input}`);
    const prefix = output.endsWith('.png') ? output.slice(0, -4) : output;
    return {
      command: options.pdftoppm ?? 'pdftoppm',
      args: ['-f', '1', '-l', '1', '-singlefile', '-png', '-scale-to', String(PAGE_SIZE), input, prefix],
      writes: `${prefix}.png`,
    };
  }
  const threads = String(Math.max(1, Math.floor(options.threads ?? Math.min(4, availableParallelism()))));
  const before = [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-threads',
    threads,
    '-max_pixels',
    String(options.maxPixels ?? 100_000_000),
    ...(plan.kind === 'poster' && plan.at ? ['-ss', plan.at.toFixed(3)] : []),
    // Reads at most twice the duration the source claims (plus 30 s), whatever its streams hold.
    ...(plan.seconds !== undefined ? ['-t', (plan.seconds * 2 + 30).toFixed(3)] : []),
    ...hardenedInput(input),
  ];
  const after = [
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-threads',
    threads,
    '-fs',
    String(Math.max(1, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES))),
  ];
  return {
    command: options.ffmpeg ?? 'ffmpeg',
    args: [...before, ...outputArgs(plan), ...after, '-y', output],
    writes: output,
  };
}

function outputArgs(plan: DerivativePlan): string[] {
  switch (plan.kind) {
    case 'video':
      return videoArgs(plan);
    case 'audio':
      return [...audioArgs(plan), '-vn', '-sn', '-dn', '-id3v2_version', '3', '-f', 'mp3'];
    case 'poster':
      return ['-map', `0:${stream(plan)}`, '-frames:v', '1', '-vf', `${scale(plan)},setsar=1`, ...jpeg()];
    case 'storyboard': {
      const s = plan.storyboard;
      if (!s) throw new Error('a storyboard plan needs its layout');
      return [
        '-map',
        `0:${stream(plan)}`,
        '-an',
        '-vf',
        [
          `fps=1/${s.interval}`,
          `scale=w=${s.tileWidth}:h=${s.tileHeight}:force_divisible_by=2`,
          'setsar=1',
          `tile=${s.columns}x${s.rows}`,
        ].join(','),
        '-frames:v',
        '1',
        ...jpeg(),
      ];
    }
    case 'waveform':
      return [
        '-filter_complex',
        `[0:${stream(plan)}]aformat=channel_layouts=mono:sample_rates=8000,` +
          `showwavespic=s=${plan.width ?? 1600}x${plan.height ?? 200}:colors=0x2563eb[wave]`,
        '-map',
        '[wave]',
        '-frames:v',
        '1',
        '-c:v',
        'png',
        '-f',
        'image2',
        '-update',
        '1',
      ];
    case 'image': {
      const { width, height } = size(plan);
      // Transparent pixels come out white rather than black.
      return [
        '-filter_complex',
        `color=c=white:s=${width}x${height}[bg];[0:${stream(plan)}]${scale(plan)},setsar=1[fg];` +
          '[bg][fg]overlay=shortest=1:format=auto,format=yuvj420p[out]',
        '-map',
        '[out]',
        '-frames:v',
        '1',
        ...jpeg(),
      ];
    }
    default:
      throw new Error(`no command for a ${plan.kind} derivative`);
  }
}

function videoArgs(plan: DerivativePlan): string[] {
  const v = plan.video;
  if (!v) throw new Error('a video plan needs its encoding');
  const filters = [...(v.maxFps ? [`fps=${v.maxFps}`] : []), scale(plan), 'setsar=1'];
  return [
    '-map',
    `0:${v.stream}`,
    ...(plan.audio ? audioArgs(plan) : ['-an']),
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    String(v.crf),
    '-maxrate',
    String(v.maxrate),
    '-bufsize',
    String(v.maxrate * 2),
    '-profile:v',
    'high',
    '-level:v',
    v.level,
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(v.gop),
    '-movflags',
    '+faststart',
    '-max_muxing_queue_size',
    '1024',
    '-f',
    'mp4',
  ];
}

function audioArgs(plan: DerivativePlan): string[] {
  const a = plan.audio;
  if (!a) throw new Error(`a ${plan.kind} plan needs its audio encoding`);
  return [
    '-map',
    `0:${a.stream}`,
    '-c:a',
    a.codec === 'mp3' ? 'libmp3lame' : 'aac',
    '-b:a',
    String(a.bitrate),
    '-ac',
    String(a.channels),
    '-ar',
    String(a.sampleRate),
  ];
}

function jpeg(): string[] {
  return ['-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1'];
}

function scale(plan: DerivativePlan): string {
  const { width, height } = size(plan);
  return `scale=w=${width}:h=${height}:force_divisible_by=2`;
}

function size(plan: DerivativePlan): { width: number; height: number } {
  if (!plan.width || !plan.height) throw new Error(`a ${plan.kind} plan needs its size`);
  return { width: plan.width, height: plan.height };
}

function stream(plan: DerivativePlan): number {
  const s = plan.stream ?? plan.video?.stream;
  if (s === undefined || !Number.isSafeInteger(s) || s < 0)
    throw new Error(`a ${plan.kind} plan needs its stream`);
  return s;
}
