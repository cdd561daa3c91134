/**
 * Tiny media clips for the "plays everywhere" browser tests, made by ffmpeg from its lavfi test
 * sources (`testsrc`, `sine`): 2 s, at most 320x240, in the formats people upload (AVI with MPEG-4
 * Part 2 and MP3, HEVC in Matroska, WAV) and the web formats the site derives (H.264/AAC MP4 with
 * `+faststart`, MP3).
 */

import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run, tempDir } from './tools.js';

export type ClipKind = 'avi' | 'hevc-mkv' | 'wav' | 'h264-mp4' | 'mp3';

const VIDEO_IN = (size: string) => ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`];
const AUDIO_IN = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];

/** Makes one clip and answers its path (`<dir>/<name>`). */
export function makeClip(
  t: TestContext,
  kind: ClipKind,
  options: { size?: string; name?: string } = {},
): string {
  const size = options.size ?? '320x240';
  const ext = { avi: 'avi', 'hevc-mkv': 'mkv', wav: 'wav', 'h264-mp4': 'mp4', mp3: 'mp3' }[kind];
  const out = join(tempDir(t, 'seedcast-clip-'), options.name ?? `clip.${ext}`);
  const base = ['-nostdin', '-loglevel', 'error', '-y'];
  const args: Record<ClipKind, string[]> = {
    avi: [...VIDEO_IN(size), ...AUDIO_IN, '-t', '2', '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame'],
    'hevc-mkv': [
      ...VIDEO_IN(size),
      ...AUDIO_IN,
      ...['-t', '2', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    ],
    wav: [...AUDIO_IN, '-t', '2', '-c:a', 'pcm_s16le'],
    'h264-mp4': [
      ...VIDEO_IN(size),
      ...AUDIO_IN,
      ...['-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-shortest', '-movflags', '+faststart'],
    ],
    mp3: [...AUDIO_IN, '-t', '2', '-c:a', 'libmp3lame', '-b:a', '128k'],
  };
  run('ffmpeg', [...base, ...args[kind], out]);
  return out;
}
