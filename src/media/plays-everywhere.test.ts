/**
 * Which originals play everywhere: real clips (AVI, HEVC MKV, WAV need derivatives; H.264/AAC MP4,
 * PNG and PDF do not) and ffprobe answers for the other cases (MOV, M4A, MP3, Opus, WebM VP9/Opus,
 * MKV with H.264, 10-bit H.264, HEVC in MP4, Vorbis, FLAC, JPEG, GIF, WebP, TIFF).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { derivativeClips } from '../../test/helpers/derivative-clips.js';
import { codecFacts, probeCodecFacts } from './codec-facts.js';
import { playsEverywhere, webMimeOf } from './plays-everywhere.js';

interface Probe {
  format: string;
  video?: Record<string, unknown>;
  audio?: Record<string, unknown>;
  image?: Record<string, unknown>;
}

/** Codec facts for a file named `name` whose ffprobe answer had these streams. */
function facts(name: string, probe: Probe) {
  const streams: Record<string, unknown>[] = [];
  if (probe.video) {
    streams.push({
      index: streams.length,
      codec_type: 'video',
      width: 640,
      height: 360,
      pix_fmt: 'yuv420p',
      ...probe.video,
    });
  }
  if (probe.image)
    streams.push({ index: streams.length, codec_type: 'video', width: 640, height: 360, ...probe.image });
  if (probe.audio)
    streams.push({
      index: streams.length,
      codec_type: 'audio',
      channels: 2,
      sample_rate: '48000',
      ...probe.audio,
    });
  return codecFacts(
    { format: { format_name: probe.format, ...(probe.image ? {} : { duration: '5.0' }) }, streams },
    name,
  );
}

const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';
const MKV = 'matroska,webm';

describe('playsEverywhere', () => {
  test('real clips: AVI, HEVC MKV and WAV need derivatives; H.264/AAC MP4, PNG and PDF do not', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const plays = async (path: string) => playsEverywhere(await probeCodecFacts(path));
    assert.equal(await plays(clips.avi), false);
    assert.equal(await plays(clips.hevcMkv), false);
    assert.equal(await plays(clips.wav), false);
    assert.equal(await plays(clips.bmp), false);
    assert.equal(await plays(clips.mp4), true);
    assert.equal(await plays(clips.png), true);
    assert.equal(await plays(clips.pdf), true);
    assert.equal(await plays(clips.garbage), false);
  });

  const cases: [string, string, Probe, boolean][] = [
    [
      'H.264 High + AAC in MP4',
      'a.mp4',
      { format: MP4, video: { codec_name: 'h264', profile: 'High' }, audio: { codec_name: 'aac' } },
      true,
    ],
    [
      'H.264 without sound in M4V',
      'a.m4v',
      { format: MP4, video: { codec_name: 'h264', profile: 'Main' } },
      true,
    ],
    [
      'H.264 + AAC in MOV',
      'a.mov',
      { format: MP4, video: { codec_name: 'h264' }, audio: { codec_name: 'aac' } },
      true,
    ],
    [
      'H.264 full-range (yuvj420p)',
      'a.mp4',
      { format: MP4, video: { codec_name: 'h264', pix_fmt: 'yuvj420p' } },
      true,
    ],
    [
      '10-bit H.264',
      'a.mp4',
      { format: MP4, video: { codec_name: 'h264', pix_fmt: 'yuv420p10le', profile: 'High 10' } },
      false,
    ],
    [
      'H.264 4:2:2',
      'a.mp4',
      { format: MP4, video: { codec_name: 'h264', pix_fmt: 'yuv422p', profile: 'High 4:2:2' } },
      false,
    ],
    [
      'H.264 + MP3 in MP4',
      'a.mp4',
      { format: MP4, video: { codec_name: 'h264' }, audio: { codec_name: 'mp3' } },
      false,
    ],
    [
      'HEVC in MP4',
      'a.mp4',
      { format: MP4, video: { codec_name: 'hevc' }, audio: { codec_name: 'aac' } },
      false,
    ],
    [
      'H.264 + AAC in MKV',
      'a.mkv',
      { format: MKV, video: { codec_name: 'h264' }, audio: { codec_name: 'aac' } },
      false,
    ],
    [
      'VP9 + Opus in WebM',
      'a.webm',
      { format: MKV, video: { codec_name: 'vp9' }, audio: { codec_name: 'opus' } },
      true,
    ],
    ['VP9 4:4:4 in WebM', 'a.webm', { format: MKV, video: { codec_name: 'vp9', pix_fmt: 'gbrp' } }, false],
    [
      'VP8 + Vorbis in WebM',
      'a.webm',
      { format: MKV, video: { codec_name: 'vp8' }, audio: { codec_name: 'vorbis' } },
      false,
    ],
    ['AV1 in WebM', 'a.webm', { format: MKV, video: { codec_name: 'av1' } }, false],
    [
      'MPEG-4 Part 2 in AVI',
      'a.avi',
      { format: 'avi', video: { codec_name: 'mpeg4' }, audio: { codec_name: 'mp3' } },
      false,
    ],
    ['MP3', 'a.mp3', { format: 'mp3', audio: { codec_name: 'mp3' } }, true],
    ['AAC in M4A', 'a.m4a', { format: MP4, audio: { codec_name: 'aac' } }, true],
    ['ALAC in M4A', 'a.m4a', { format: MP4, audio: { codec_name: 'alac' } }, false],
    ['raw AAC (ADTS)', 'a.aac', { format: 'aac', audio: { codec_name: 'aac' } }, true],
    ['Opus in Ogg', 'a.opus', { format: 'ogg', audio: { codec_name: 'opus' } }, true],
    ['Opus in WebM', 'a.webm', { format: MKV, audio: { codec_name: 'opus' } }, true],
    ['Vorbis in Ogg', 'a.ogg', { format: 'ogg', audio: { codec_name: 'vorbis' } }, false],
    ['FLAC', 'a.flac', { format: 'flac', audio: { codec_name: 'flac' } }, false],
    ['WAV', 'a.wav', { format: 'wav', audio: { codec_name: 'pcm_s16le' } }, false],
    ['JPEG', 'a.jpg', { format: 'jpeg_pipe', image: { codec_name: 'mjpeg' } }, true],
    ['GIF', 'a.gif', { format: 'gif', image: { codec_name: 'gif' } }, true],
    ['WebP', 'a.webp', { format: 'webp_pipe', image: { codec_name: 'webp' } }, true],
    ['TIFF', 'a.tif', { format: 'tiff_pipe', image: { codec_name: 'tiff' } }, false],
    ['a PNG named .jpg', 'a.jpg', { format: 'png_pipe', image: { codec_name: 'png' } }, false],
  ];
  for (const [name, file, probe, expected] of cases) {
    test(`${name}: ${expected ? 'plays' : 'needs derivatives'}`, () => {
      assert.equal(playsEverywhere(facts(file, probe)), expected);
    });
  }

  test('a playable QuickTime movie is offered as video/mp4', () => {
    const mov = facts('a.mov', { format: MP4, video: { codec_name: 'h264' }, audio: { codec_name: 'aac' } });
    assert.equal(mov.mimeType, 'video/quicktime');
    assert.equal(webMimeOf(mov), 'video/mp4');
    assert.equal(webMimeOf(facts('a.mp3', { format: 'mp3', audio: { codec_name: 'mp3' } })), 'audio/mpeg');
  });
});
