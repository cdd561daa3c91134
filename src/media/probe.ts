/**
 * Reading a media file's structure with ffprobe (Debian's ffmpeg): `ffprobe -v error -print_format
 * json -show_format -show_streams` on a local file, hardened against hostile uploads. Only the `file`
 * protocol and a list of ordinary media demuxers are allowed, so a playlist (HLS, concat, ...) posing
 * as a video cannot make ffprobe open other files or URLs; the run has a time limit and a cap on its
 * output (`run-tool.ts`). The JSON is parsed, not trusted: `media-facts.ts` reads it into plain facts.
 */

import { runTool, type ToolFailure } from './run-tool.js';

/**
 * Demuxers ffprobe and ffmpeg may use on an upload: containers and raw audio formats that are common
 * for published media, and single-image formats. Left out on purpose: playlists and anything that
 * opens other inputs (hls, concat, dash, ...), `image2` (file name patterns), SVG, and raw
 * elementary streams whose probes accept random bytes.
 */
export const INPUT_FORMATS = [
  'mov',
  'matroska',
  'webm',
  'ogg',
  'mp3',
  'flac',
  'wav',
  'w64',
  'aiff',
  'caf',
  'wv',
  'ape',
  'aac',
  'ac3',
  'eac3',
  'amr',
  'avi',
  'mpegts',
  'mpeg',
  'flv',
  'asf',
  'dv',
  'ivf',
  'nut',
  'gif',
  'apng',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'bmp_pipe',
  'tiff_pipe',
  'gif_pipe',
  'qoi_pipe',
] as const;

/** Options every ffprobe and ffmpeg run on an upload gets, before its `-i`. */
export function hardenedInput(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`media input must be an absolute path: ${path}`);
  return [
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    INPUT_FORMATS.join(','),
    // `file:` so that nothing in the path is read as another protocol.
    '-i',
    `file:${path}`,
  ];
}

export interface MediaToolOptions {
  /** The ffprobe command (default `ffprobe`, found on PATH). */
  ffprobe?: string;
  /** The ffmpeg command (default `ffmpeg`). */
  ffmpeg?: string;
  /** Milliseconds each run may take (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ProbeResult =
  | { ok: true; json: unknown }
  | { ok: false; failure: ToolFailure | 'json'; detail: string };

/** ffprobe's JSON for a local file; never rejects. */
export async function probeFile(path: string, options: MediaToolOptions = {}): Promise<ProbeResult> {
  const result = await runTool(
    options.ffprobe ?? 'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...hardenedInput(path)],
    { timeoutMs: options.timeoutMs ?? 30_000, maxStdout: 2 * 1024 * 1024, signal: options.signal },
  );
  if (!result.ok) {
    return { ok: false, failure: result.failure ?? 'exit', detail: result.stderr.trim().slice(-500) };
  }
  try {
    return { ok: true, json: JSON.parse(result.stdout.toString('utf8')) };
  } catch (err) {
    return { ok: false, failure: 'json', detail: (err as Error).message };
  }
}
