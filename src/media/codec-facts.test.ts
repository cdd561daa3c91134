/**
 * Codec facts from ffprobe on real clips (AVI with MPEG-4 Part 2 and MP3, HEVC MKV, WAV, H.264/AAC
 * MP4, PNG), a PDF known by its extension, random bytes, and the parser on hostile or unusual JSON
 * (wrong types, rotation, non-square pixels, 10-bit formats).
 */

import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { derivativeClips } from '../../test/helpers/derivative-clips.js';
import { tempDir } from '../../test/helpers/tools.js';
import { codecFacts, isPdf, probeCodecFacts } from './codec-facts.js';

describe('codecFacts on real clips', () => {
  test('an AVI: MPEG-4 Part 2 video and MP3 sound, with rates and bitrates', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const f = await probeCodecFacts(clips.avi);
    assert.equal(f.mediaType, 'video');
    assert.equal(f.container, 'avi');
    assert.equal(f.extension, 'avi');
    assert.equal(f.hasVideo, true);
    assert.equal(f.hasAudio, true);
    assert.equal(f.videoCodec, 'mpeg4');
    assert.equal(f.pixelFormat, 'yuv420p');
    assert.equal(f.bitDepth, 8);
    assert.equal(f.frameRate, 25);
    assert.equal(f.pixelAspect, 1);
    assert.equal(f.rotation, 0);
    assert.equal(f.audioCodec, 'mp3');
    assert.equal(f.audioChannels, 1);
    assert.equal(f.sampleRate, 44_100);
    assert.ok(f.bitrate !== null && f.bitrate > 0);
    assert.equal(f.videoStream, 0);
    assert.equal(f.audioStream, 1);
    assert.equal(f.width, 320);
    assert.equal(f.height, 240);
  });

  test('an HEVC MKV, a WAV, an MP4 and a PNG', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const mkv = await probeCodecFacts(clips.hevcMkv);
    assert.equal(mkv.container, 'matroska,webm');
    assert.equal(mkv.videoCodec, 'hevc');
    assert.equal(mkv.audioCodec, 'aac');

    const wav = await probeCodecFacts(clips.wav);
    assert.equal(wav.mediaType, 'audio');
    assert.equal(wav.hasVideo, false);
    assert.equal(wav.audioCodec, 'pcm_s16le');
    assert.equal(wav.videoCodec, null);

    const mp4 = await probeCodecFacts(clips.mp4);
    assert.equal(mp4.videoCodec, 'h264');
    assert.equal(mp4.pixelFormat, 'yuv420p');
    assert.equal(mp4.brand, 'isom');
    assert.equal(mp4.audioCodec, 'aac');
    assert.equal(mp4.audioProfile, 'LC');

    const png = await probeCodecFacts(clips.png);
    assert.equal(png.mediaType, 'image');
    assert.equal(png.hasVideo, false);
    assert.equal(png.codec, 'png');
    assert.equal(png.pixelFormat, 'rgb24');
  });

  test('a stored blob without an extension is read under its published name', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const blob = join(tempDir(t), '3');
    copyFileSync(clips.mp4, blob);
    const bare = await probeCodecFacts(blob);
    assert.equal(bare.extension, '');
    const named = await probeCodecFacts(blob, { name: 'holiday.MP4' });
    assert.equal(named.extension, 'mp4');
    assert.equal(named.mimeType, 'video/mp4');
    assert.equal(named.videoCodec, 'h264');
    const pdf = await probeCodecFacts(blob, { name: 'paper.pdf' });
    assert.equal(isPdf(pdf), true);
  });

  test('a PDF is known by its extension, random bytes are not probed', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const pdf = await probeCodecFacts(clips.pdf);
    assert.equal(pdf.probed, false);
    assert.equal(pdf.mimeType, 'application/pdf');
    assert.equal(isPdf(pdf), true);
    const garbage = await probeCodecFacts(clips.garbage);
    assert.equal(garbage.probed, false);
    assert.equal(garbage.hasVideo, false);
    assert.equal(isPdf(garbage), false);
  });
});

describe('codecFacts on ffprobe JSON', () => {
  const json = (video: Record<string, unknown>, audio: Record<string, unknown> = {}, format = {}) => ({
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.0', ...format },
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, ...video },
      { index: 1, codec_type: 'audio', codec_name: 'aac', ...audio },
    ],
  });

  test('rotation, non-square pixels, frame rate and 10-bit pixels are read', () => {
    const f = codecFacts(
      json({
        pix_fmt: 'yuv420p10le',
        profile: 'High 10',
        sample_aspect_ratio: '4:3',
        avg_frame_rate: '30000/1001',
        side_data_list: [{ rotation: -90 }],
      }),
      'phone.mp4',
    );
    assert.equal(f.rotation, -90);
    assert.equal(f.width, 1080);
    assert.equal(f.height, 1920);
    assert.equal(f.pixelAspect, 4 / 3);
    assert.ok(Math.abs((f.frameRate ?? 0) - 29.97) < 0.01);
    assert.equal(f.bitDepth, 10);
    assert.equal(f.videoProfile, 'High 10');
  });

  test('wrong types and implausible values become null', () => {
    const f = codecFacts(
      json(
        {
          pix_fmt: 'yuv420p; rm -rf',
          profile: 42,
          avg_frame_rate: '0/0',
          r_frame_rate: '999999/1',
          sample_aspect_ratio: '0:1',
          bit_rate: '-5',
        },
        { channels: 'two', sample_rate: '9999999', bit_rate: 'N/A', profile: '\u0000bad' },
        { bit_rate: 1e30, tags: { major_brand: 12 } },
      ),
      'x.mp4',
    );
    assert.equal(f.pixelFormat, null);
    assert.equal(f.videoProfile, null);
    assert.equal(f.frameRate, null);
    assert.equal(f.pixelAspect, 1);
    assert.equal(f.videoBitrate, null);
    assert.equal(f.audioChannels, null);
    assert.equal(f.sampleRate, null);
    assert.equal(f.audioBitrate, null);
    assert.equal(f.audioProfile, null);
    assert.equal(f.bitrate, null);
    assert.equal(f.brand, null);
    assert.equal(f.hasVideo, true);
    assert.equal(f.hasAudio, true);
  });

  test('a cover picture is not video; nothing probed gives the extension fallback', () => {
    const mp3 = codecFacts(
      {
        format: { format_name: 'mp3', duration: '3' },
        streams: [
          { index: 0, codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' },
          {
            index: 1,
            codec_type: 'video',
            codec_name: 'png',
            width: 200,
            height: 200,
            disposition: { attached_pic: 1 },
          },
        ],
      },
      'song.MP3',
    );
    assert.equal(mp3.mediaType, 'audio');
    assert.equal(mp3.extension, 'mp3');
    assert.equal(mp3.hasVideo, false);
    assert.equal(mp3.videoStream, null);
    assert.equal(mp3.audioStream, 0);
    assert.equal(mp3.audioChannels, 2);
    const none = codecFacts(undefined, 'movie.avi');
    assert.equal(none.probed, false);
    assert.equal(none.mediaType, 'video');
    assert.equal(none.hasVideo, false);
  });
});
