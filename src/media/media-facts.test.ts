/**
 * Media facts from ffprobe on real files made by ffmpeg (video, sound-only MP4, MP3 with a cover,
 * Ogg, PNG), the parser on hostile variations of ffprobe's JSON, hostile files (random bytes, empty,
 * truncated, a 136-year duration claim, an HLS playlist posing as a video) and thumbnails whose size
 * ffprobe confirms.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { probeImage, testMedia } from '../../test/helpers/media.js';
import { tempDir } from '../../test/helpers/tools.js';
import { fallbackFacts, MAX_DURATION_MS, type MediaFacts, mediaFacts } from './media-facts.js';
import { probeFile } from './probe.js';
import { isJpeg, makeThumbnail, thumbnailTime } from './thumbnail.js';

async function probeJson(path: string): Promise<unknown> {
  const result = await probeFile(path);
  assert.ok(result.ok, `ffprobe read ${path}: ${JSON.stringify(result)}`);
  return result.json;
}

async function factsOf(path: string, name = path): Promise<MediaFacts> {
  const result = await probeFile(path);
  return result.ok ? mediaFacts(result.json, name) : fallbackFacts(name);
}

const near = (actual: number | null, expected: number, tolerance: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} ≈ ${expected}`);

describe('media facts from ffprobe', () => {
  test('a video: type, container, codec, duration, size, type and thumbnail stream', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const facts = await factsOf(media.video, 'clip.mp4');
    assert.deepEqual(facts, {
      mediaType: 'video',
      probed: true,
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      codec: 'h264',
      mimeType: 'video/mp4',
      durationMs: 2000,
      width: 320,
      height: 240,
      thumbnailStream: 0,
      still: false,
    });
  });

  test('audio: MP4 without video is audio/mp4; MP3 with a cover; Ogg Vorbis', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const sound = await factsOf(media.soundOnly, 'talk.mp4');
    assert.deepEqual(
      [sound.mediaType, sound.codec, sound.mimeType, sound.width, sound.thumbnailStream],
      ['audio', 'aac', 'audio/mp4', null, null],
    );
    near(sound.durationMs, 2000, 50);
    const mp3 = await factsOf(media.mp3, 'song.mp3');
    assert.deepEqual(
      [mp3.mediaType, mp3.codec, mp3.mimeType, mp3.width, mp3.height, mp3.still],
      ['audio', 'mp3', 'audio/mpeg', null, null, true],
    );
    assert.equal(typeof mp3.thumbnailStream, 'number', 'the cover is the thumbnail stream');
    near(mp3.durationMs, 2000, 100);
    const ogg = await factsOf(media.ogg, 'song.ogg');
    assert.deepEqual(
      [ogg.mediaType, ogg.container, ogg.codec, ogg.mimeType, ogg.thumbnailStream],
      ['audio', 'ogg', 'vorbis', 'audio/ogg', null],
    );
    near(ogg.durationMs, 2000, 50);
  });

  test('an image: size, no duration; its content decides even under a wrong name', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const png = await factsOf(media.png, 'picture.png');
    assert.deepEqual(
      [
        png.mediaType,
        png.container,
        png.codec,
        png.mimeType,
        png.durationMs,
        png.width,
        png.height,
        png.still,
      ],
      ['image', 'png_pipe', 'png', 'image/png', null, 800, 600, true],
    );
    const misnamed = await factsOf(media.png, 'picture.mp4');
    assert.deepEqual([misnamed.mediaType, misnamed.mimeType], ['image', 'image/png']);
  });

  test('hostile files fall back to the extension, with no facts', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    for (const path of [media.random, media.empty, media.truncated]) {
      const result = await probeFile(path);
      assert.equal(result.ok, false, path);
      assert.deepEqual(await factsOf(path, 'clip.mp4'), fallbackFacts('clip.mp4'));
    }
    assert.deepEqual(fallbackFacts('clip.mp4'), {
      mediaType: 'video',
      probed: false,
      container: null,
      codec: null,
      mimeType: 'video/mp4',
      durationMs: null,
      width: null,
      height: null,
      thumbnailStream: null,
      still: false,
    });
    assert.equal(fallbackFacts('notes.bin').mimeType, null);
  });

  test('a playlist posing as a video is refused, not followed to the file it names', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const result = await probeFile(media.playlist);
    assert.equal(result.ok, false, 'the hls demuxer is not allowed');
    assert.equal((await factsOf(media.playlist, 'clip.mp4')).probed, false);
  });

  test('a header claiming 136 years is not believed: the streams give the duration', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const json = (await probeJson(media.hugeDuration)) as { format: { duration: string } };
    assert.equal(Math.round(Number(json.format.duration)), 2 ** 32 - 1, 'ffprobe reports the claim');
    const facts = mediaFacts(json, 'clip.mp4');
    assert.deepEqual([facts.mediaType, facts.durationMs, facts.width], ['video', 2000, 320]);
  });

  test('the parser survives hostile JSON: wrong types, absurd numbers, junk names', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const real = (await probeJson(media.video)) as {
      format: Record<string, unknown>;
      streams: Record<string, unknown>[];
    };
    const edit = (change: (j: typeof real) => void) => {
      const copy = structuredClone(real);
      change(copy);
      return mediaFacts(copy, 'clip.mp4');
    };
    for (const junk of [null, 'text', 42, [], {}, { format: {}, streams: [] }, { streams: 'x', format: 7 }]) {
      assert.deepEqual(mediaFacts(junk, 'clip.mp4'), fallbackFacts('clip.mp4'));
    }
    const absurd = (d: unknown) =>
      edit((j) => {
        j.format.duration = d;
        for (const s of j.streams) s.duration = d;
      }).durationMs;
    for (const d of ['1e30', 'N/A', '-5', 'NaN', 'Infinity', '99999999999.5', { x: 1 }, '0']) {
      assert.equal(absurd(d), null, JSON.stringify(d));
    }
    assert.equal(absurd(String(MAX_DURATION_MS / 1000)), MAX_DURATION_MS);
    const sized = (w: unknown, h: unknown) =>
      edit((j) => {
        j.streams[0]!.width = w;
        j.streams[0]!.height = h;
      });
    for (const [w, h] of [
      [-1, 240],
      [320, 0],
      [1e9, 240],
      ['320', 240],
      [320.5, 240],
    ]) {
      const facts = sized(w, h);
      assert.deepEqual([facts.width, facts.height], [null, null], `${w}×${h}`);
    }
    const named = edit((j) => {
      j.format.format_name = '<script>';
    });
    assert.equal(named.probed, false);
    const codec = edit((j) => {
      j.streams[0]!.codec_name = 'h264\n; rm -rf /';
    });
    assert.equal(codec.codec, null);
    const turned = edit((j) => {
      j.streams[0]!.side_data_list = [{ side_data_type: 'Display Matrix', rotation: -90 }];
    });
    assert.deepEqual([turned.width, turned.height], [240, 320]);
    const many = edit((j) => {
      j.streams = Array.from({ length: 100_000 }, (_, i) => ({ index: i, codec_type: 'data' }));
    });
    assert.equal(many.probed, false);
  });

  test('thumbnails: a video frame, a scaled image and an MP3 cover, each a JPEG ffprobe confirms', async (t) => {
    const media = testMedia(t);
    if (!media) return;
    const dir = tempDir(t);
    const check = async (path: string, name: string, width: number, height: number) => {
      const jpeg = await makeThumbnail(path, await factsOf(path, name));
      assert.ok(jpeg && isJpeg(jpeg), `${name} has a JPEG thumbnail`);
      const out = join(dir, `${name}.jpg`);
      writeFileSync(out, jpeg);
      assert.deepEqual(probeImage(out), { codec: 'mjpeg', width, height });
    };
    await check(media.video, 'clip.mp4', 320, 240);
    await check(media.png, 'picture.png', 640, 480);
    await check(media.mp3, 'song.mp3', 200, 200);
    await check(media.hugeDuration, 'huge.mp4', 320, 240);
    assert.equal(await makeThumbnail(media.ogg, await factsOf(media.ogg, 'a.ogg')), undefined);
    assert.equal(await makeThumbnail(media.random, await factsOf(media.random, 'r.mp4')), undefined);
    const png = await factsOf(media.png, 'picture.png');
    assert.equal(await makeThumbnail(media.png, png, { maxPixels: 10_000 }), undefined, 'too many pixels');
    const small = await makeThumbnail(media.png, png, { maxSize: 100 });
    writeFileSync(join(dir, 'small.jpg'), small!);
    assert.deepEqual(probeImage(join(dir, 'small.jpg')), { codec: 'mjpeg', width: 100, height: 75 });
  });

  test('a video thumbnail is taken at a tenth of the duration, or at 1 s when it is unknown', () => {
    assert.equal(thumbnailTime(2000), 0.2);
    assert.equal(thumbnailTime(3_600_000), 360);
    assert.equal(thumbnailTime(null), 1);
    assert.equal(isJpeg(Buffer.from([0xff, 0xd8, 0, 0xff, 0xd9])), true);
    assert.equal(isJpeg(Buffer.from([0xff, 0xd8, 0, 0xff])), false);
  });
});
