/**
 * The derivative ladder decided from codec facts: video rungs (source size capped at 1080p, 720p and
 * 360p below it, only lower rungs for a playable HD original, none for a small one), even sizes with
 * the display aspect (rotation, non-square pixels, portrait), H.264 levels, the poster and the
 * storyboard's layout; MP3 and waveform for audio; web images; a PDF's page; nothing for what ffprobe
 * could not read.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codecFacts } from './codec-facts.js';
import { fit, h264Level, planDerivatives, storyboardLayout } from './derivative-plan.js';

const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';

interface VideoShape {
  width: number;
  height: number;
  codec?: string;
  name?: string;
  format?: string;
  seconds?: number;
  extra?: Record<string, unknown>;
  audio?: Record<string, unknown> | null;
}

function video(shape: VideoShape) {
  const streams: Record<string, unknown>[] = [
    {
      index: 0,
      codec_type: 'video',
      codec_name: shape.codec ?? 'mpeg4',
      width: shape.width,
      height: shape.height,
      pix_fmt: 'yuv420p',
      avg_frame_rate: '25/1',
      ...shape.extra,
    },
  ];
  if (shape.audio !== null) {
    streams.push({
      index: 1,
      codec_type: 'audio',
      codec_name: 'mp3',
      channels: 2,
      sample_rate: '44100',
      ...shape.audio,
    });
  }
  const duration =
    shape.seconds === undefined
      ? { duration: '60.0' }
      : shape.seconds < 0
        ? {}
        : { duration: String(shape.seconds) };
  return codecFacts(
    { format: { format_name: shape.format ?? 'avi', ...duration }, streams },
    shape.name ?? 'clip.avi',
  );
}

const names = (plans: { fileName: string }[]) => plans.map((p) => p.fileName);

describe('planDerivatives: video', () => {
  test('a 1080p AVI gets 1080p, 720p and 360p H.264, a poster and a storyboard', () => {
    const plans = planDerivatives(video({ width: 1920, height: 1080 }));
    assert.deepEqual(names(plans), [
      'video-1080p.mp4',
      'video-720p.mp4',
      'video-360p.mp4',
      'poster.jpg',
      'storyboard.jpg',
    ]);
    const [top, mid, low, poster] = plans;
    assert.deepEqual([top!.width, top!.height, top!.label, top!.mime], [1920, 1080, '1080p', 'video/mp4']);
    assert.deepEqual([mid!.width, mid!.height], [1280, 720]);
    assert.deepEqual([low!.width, low!.height], [640, 360]);
    assert.equal(top!.video?.level, '4.1');
    assert.equal(top!.video?.crf, 23);
    assert.equal(top!.video?.gop, 50);
    assert.equal(top!.video?.maxFps, null);
    assert.deepEqual(top!.audio, {
      stream: 1,
      codec: 'aac',
      bitrate: 128_000,
      channels: 2,
      sampleRate: 44_100,
    });
    assert.equal(top!.bitrate, 6_000_000 + 128_000);
    assert.equal(top!.seconds, 60);
    assert.deepEqual([poster!.width, poster!.height, poster!.at, poster!.stream], [1920, 1080, 6, 0]);
  });

  test('a 4K source is capped at 1080p; odd sizes become even with the aspect kept', () => {
    const plans = planDerivatives(video({ width: 3840, height: 2160 }));
    assert.deepEqual(names(plans).slice(0, 3), ['video-1080p.mp4', 'video-720p.mp4', 'video-360p.mp4']);
    assert.deepEqual([plans[0]!.width, plans[0]!.height], [1920, 1080]);
    const odd = planDerivatives(video({ width: 853, height: 479 }));
    assert.deepEqual(names(odd).slice(0, 2), ['video-480p.mp4', 'video-360p.mp4']);
    assert.deepEqual([odd[0]!.width, odd[0]!.height], [854, 480]);
    assert.deepEqual([odd[1]!.width, odd[1]!.height], [640, 360]);
  });

  test('a small source gets one rung at its own size; no sound means no audio encoding', () => {
    const plans = planDerivatives(video({ width: 320, height: 240, audio: null }));
    assert.deepEqual(names(plans), ['video-240p.mp4', 'poster.jpg', 'storyboard.jpg']);
    assert.equal(plans[0]!.audio, undefined);
    assert.equal(plans[0]!.bitrate, 500_000);
    assert.equal(plans[0]!.video?.level, '3.0');
  });

  test('portrait, rotated and non-square sources keep their display aspect', () => {
    const portrait = planDerivatives(video({ width: 1080, height: 1920 }));
    assert.deepEqual(
      portrait.filter((p) => p.kind === 'video').map((p) => [p.label, p.width, p.height]),
      [
        ['1080p', 1080, 1920],
        ['720p', 720, 1280],
        ['360p', 360, 640],
      ],
    );
    const rotated = planDerivatives(
      video({ width: 1920, height: 1080, extra: { side_data_list: [{ rotation: 90 }] } }),
    );
    assert.deepEqual([rotated[0]!.width, rotated[0]!.height], [1080, 1920]);
    // DV widescreen: 720x576 with 64:45 pixels shows as 1024x576.
    const anamorphic = planDerivatives(
      video({ width: 720, height: 576, extra: { sample_aspect_ratio: '64:45' } }),
    );
    assert.deepEqual(
      [anamorphic[0]!.width, anamorphic[0]!.height, anamorphic[0]!.label],
      [1024, 576, '576p'],
    );
    assert.deepEqual([anamorphic[1]!.width, anamorphic[1]!.height], [640, 360]);
  });

  test('a playable original gets only lower rungs, and only when it is larger than 720p', () => {
    const h264 = { codec: 'h264', name: 'clip.mp4', format: MP4, audio: { codec_name: 'aac' } };
    assert.deepEqual(names(planDerivatives(video({ width: 1920, height: 1080, ...h264 }))), [
      'video-720p.mp4',
      'video-360p.mp4',
      'poster.jpg',
      'storyboard.jpg',
    ]);
    assert.deepEqual(names(planDerivatives(video({ width: 3840, height: 2160, ...h264 }))).slice(0, 3), [
      'video-1080p.mp4',
      'video-720p.mp4',
      'video-360p.mp4',
    ]);
    assert.deepEqual(names(planDerivatives(video({ width: 1280, height: 720, ...h264 }))), [
      'poster.jpg',
      'storyboard.jpg',
    ]);
    assert.deepEqual(names(planDerivatives(video({ width: 320, height: 240, ...h264 }))), [
      'poster.jpg',
      'storyboard.jpg',
    ]);
  });

  test('high frame rates are capped at 60; an unknown duration gives no storyboard and a poster at 0 s', () => {
    const fast = planDerivatives(video({ width: 1920, height: 1080, extra: { avg_frame_rate: '120/1' } }));
    assert.equal(fast[0]!.video?.maxFps, 60);
    assert.equal(fast[0]!.video?.gop, 120);
    assert.equal(fast[0]!.video?.level, '4.2');
    const unknown = planDerivatives(video({ width: 320, height: 240, seconds: -1 }));
    assert.deepEqual(names(unknown), ['video-240p.mp4', 'poster.jpg']);
    assert.equal(unknown[0]!.seconds, undefined);
    assert.equal(unknown[1]!.at, 0);
  });

  test('options change the ladder', () => {
    const plans = planDerivatives(video({ width: 1920, height: 1080 }), {
      maxHeight: 720,
      rungs: [480],
      crf: 28,
    });
    assert.deepEqual(names(plans).slice(0, 2), ['video-720p.mp4', 'video-480p.mp4']);
    assert.equal(plans[0]!.video?.crf, 28);
  });
});

describe('storyboardLayout', () => {
  test('one tile a second for short videos, at most 10x10 tiles of 160 px', () => {
    assert.deepEqual(storyboardLayout({ width: 320, height: 240 }, 2), {
      interval: 1,
      tileWidth: 160,
      tileHeight: 120,
      columns: 2,
      rows: 1,
      count: 2,
    });
    assert.deepEqual(storyboardLayout({ width: 1920, height: 1080 }, 25.5), {
      interval: 1,
      tileWidth: 160,
      tileHeight: 90,
      columns: 10,
      rows: 3,
      count: 26,
    });
    const hour = storyboardLayout({ width: 1920, height: 1080 }, 3600);
    assert.deepEqual([hour.interval, hour.count, hour.columns, hour.rows], [36, 100, 10, 10]);
    const plan = planDerivatives(video({ width: 1920, height: 1080, seconds: 3600 })).find(
      (p) => p.kind === 'storyboard',
    );
    assert.deepEqual([plan!.width, plan!.height, plan!.storyboard?.interval], [1600, 900, 36]);
  });
});

describe('planDerivatives: audio, images, documents', () => {
  const audio = (name: string, format: string, stream: Record<string, unknown>) =>
    codecFacts(
      {
        format: { format_name: format, duration: '2.5' },
        streams: [{ index: 0, codec_type: 'audio', ...stream }],
      },
      name,
    );

  test('a WAV gets an MP3 and a waveform; an MP3 only the waveform', () => {
    const wav = planDerivatives(
      audio('a.wav', 'wav', { codec_name: 'pcm_s16le', channels: 1, sample_rate: '44100' }),
    );
    assert.deepEqual(names(wav), ['audio.mp3', 'waveform.png']);
    assert.deepEqual(wav[0]!.audio, {
      stream: 0,
      codec: 'mp3',
      bitrate: 128_000,
      channels: 1,
      sampleRate: 44_100,
    });
    assert.deepEqual([wav[0]!.mime, wav[0]!.label, wav[0]!.seconds], ['audio/mpeg', 'mp3', 2.5]);
    assert.deepEqual([wav[1]!.width, wav[1]!.height, wav[1]!.stream], [1600, 200, 0]);
    const mp3 = planDerivatives(audio('a.mp3', 'mp3', { codec_name: 'mp3' }));
    assert.deepEqual(names(mp3), ['waveform.png']);
  });

  test('many channels and a high sample rate become stereo at a rate MP3 allows', () => {
    const flac = planDerivatives(
      audio('a.flac', 'flac', { codec_name: 'flac', channels: 6, sample_rate: '96000' }),
    );
    assert.deepEqual([flac[0]!.audio?.channels, flac[0]!.audio?.sampleRate], [2, 48_000]);
    const cd = planDerivatives(
      audio('a.flac', 'flac', { codec_name: 'flac', channels: 2, sample_rate: '88200' }),
    );
    assert.equal(cd[0]!.audio?.sampleRate, 44_100);
  });

  const image = (name: string, format: string, codec: string, width: number, height: number) =>
    codecFacts(
      {
        format: { format_name: format },
        streams: [{ index: 0, codec_type: 'video', codec_name: codec, width, height }],
      },
      name,
    );

  test('web images are kept unless larger than 2048 px; others get a web JPEG', () => {
    assert.deepEqual(planDerivatives(image('a.png', 'png_pipe', 'png', 800, 600)), []);
    assert.deepEqual(planDerivatives(image('a.jpg', 'jpeg_pipe', 'mjpeg', 2048, 1024)), []);
    const big = planDerivatives(image('a.jpg', 'jpeg_pipe', 'mjpeg', 6000, 4000));
    assert.deepEqual(
      big.map((p) => [p.kind, p.label, p.fileName, p.mime, p.width, p.height]),
      [['image', 'web', 'image-web.jpg', 'image/jpeg', 2048, 1366]],
    );
    const tiff = planDerivatives(image('a.tif', 'tiff_pipe', 'tiff', 640, 480));
    assert.deepEqual([tiff[0]!.width, tiff[0]!.height], [640, 480]);
  });

  test('a PDF gets its first page; what ffprobe could not read gets nothing', () => {
    assert.deepEqual(planDerivatives(codecFacts(undefined, 'paper.pdf')), [
      { kind: 'page', label: 'page', fileName: 'page-1.png', mime: 'image/png' },
    ]);
    assert.deepEqual(planDerivatives(codecFacts(undefined, 'movie.avi')), []);
    assert.deepEqual(planDerivatives(codecFacts(undefined, 'notes.txt')), []);
  });
});

describe('fit and h264Level', () => {
  test('fit keeps within the box, never scales up, and gives even sizes', () => {
    assert.deepEqual(fit({ width: 1920, height: 1080 }, 720), { width: 1280, height: 720 });
    assert.deepEqual(fit({ width: 2560, height: 1080 }, 1080), { width: 1920, height: 810 });
    assert.deepEqual(fit({ width: 321, height: 241 }, 1080), { width: 322, height: 242 });
    assert.deepEqual(fit({ width: 1, height: 1 }, 1080), { width: 2, height: 2 });
  });

  test('levels follow macroblocks per frame and per second', () => {
    assert.equal(h264Level(640, 360, 30), '3.0');
    assert.equal(h264Level(1280, 720, 30), '3.1');
    assert.equal(h264Level(1280, 720, 60), '3.2');
    assert.equal(h264Level(1920, 1080, 30), '4.1');
    assert.equal(h264Level(1920, 1080, 60), '4.2');
    assert.equal(h264Level(1080, 1920, 30), '4.1');
  });
});
