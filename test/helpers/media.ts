/**
 * Real media for tests, made with Debian's ffmpeg from its synthetic sources (testsrc, sine): a short
 * H.264/AAC video (and its sound alone), MP3 and Ogg Vorbis audio (the MP3 with a cover picture), a PNG image, and hostile
 * files (random bytes and an empty file named as video, a truncated MP4, an MP4 whose header claims a
 * 136-year duration, an HLS playlist named as video). `testMedia(t)` checks for the tools first.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTools, run } from './tools.js';

export interface TestMedia {
  /** 2 s, 320×240, H.264 + AAC in MP4. */
  video: string;
  /** The video's sound alone, still named `.mp4`. */
  soundOnly: string;
  /** 2 s of sine in MP3 with a 200×200 PNG cover. */
  mp3: string;
  /** 2 s of sine in Ogg Vorbis. */
  ogg: string;
  /** 800×600 PNG. */
  png: string;
  /** 100 kB of random bytes named `.mp4`. */
  random: string;
  /** An empty `.mp4`. */
  empty: string;
  /** The first 30,000 bytes of `video`. */
  truncated: string;
  /** `video` with its movie header claiming 4294967295 s. */
  hugeDuration: string;
  /** An HLS playlist pointing at a local file, named `.mp4`. */
  playlist: string;
}

const ffmpeg = (args: string[]) => run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

/** Makes every test file in `dir` (about a second of work). */
export function makeTestMedia(dir: string): TestMedia {
  const p = (name: string) => join(dir, name);
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440'],
    ...['-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    p('video.mp4'),
  ]);
  ffmpeg(['-i', p('video.mp4'), '-vn', '-c', 'copy', p('sound-only.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=200x200', '-frames:v', '1', p('cover.png')]);
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'sine', '-i', p('cover.png'), '-t', '2', '-map', '0:a', '-map', '1:v'],
    ...['-c:a', 'libmp3lame', '-c:v', 'png', '-disposition:v', 'attached_pic', '-id3v2_version', '3'],
    p('audio.mp3'),
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine', '-t', '2', '-c:a', 'libvorbis', p('audio.ogg')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=800x600', '-frames:v', '1', p('image.png')]);
  writeFileSync(p('random.mp4'), randomBytes(100_000));
  writeFileSync(p('empty.mp4'), '');
  const video = readFileSync(p('video.mp4'));
  writeFileSync(p('truncated.mp4'), video.subarray(0, 30_000));
  writeFileSync(p('huge.mp4'), claimHugeDuration(video));
  writeFileSync(
    p('playlist.mp4'),
    `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${p('video.mp4')}\n#EXT-X-ENDLIST\n`,
  );
  return {
    video: p('video.mp4'),
    soundOnly: p('sound-only.mp4'),
    mp3: p('audio.mp3'),
    ogg: p('audio.ogg'),
    png: p('image.png'),
    random: p('random.mp4'),
    empty: p('empty.mp4'),
    truncated: p('truncated.mp4'),
    hugeDuration: p('huge.mp4'),
    playlist: p('playlist.mp4'),
  };
}

let shared: TestMedia | undefined;

/**
 * The test media, made once per test process (removed when it exits), or undefined when ffmpeg or
 * ffprobe is missing (the test is then skipped loudly, or fails under CI=true).
 */
export function testMedia(t: TestContext): TestMedia | undefined {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return undefined;
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-media-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    shared = makeTestMedia(dir);
  }
  return shared;
}

/** The MP4 with its `mvhd` (version 0) saying timescale 1 and duration 2^32 - 1. */
function claimHugeDuration(mp4: Buffer): Buffer {
  const out = Buffer.from(mp4);
  const at = out.indexOf('mvhd');
  if (at < 0 || out[at + 4] !== 0) throw new Error('no version-0 mvhd in the test video');
  out.writeUInt32BE(1, at + 16);
  out.writeUInt32BE(0xffffffff, at + 20);
  return out;
}

/** ffprobe's view of a file's first video stream: codec, width and height. */
export function probeImage(path: string): { codec: string; width: number; height: number } {
  const out = JSON.parse(
    run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-select_streams', 'v:0', path]),
  ) as { streams: { codec_name: string; width: number; height: number }[] };
  const s = out.streams[0]!;
  return { codec: s.codec_name, width: s.width, height: s.height };
}
