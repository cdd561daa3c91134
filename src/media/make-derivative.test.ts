/**
 * Making derivatives with real ffmpeg and pdftoppm from tiny clips: an AVI and an HEVC MKV become
 * H.264 (High, yuv420p) + AAC MP4s with the index before the media data, with a poster and a
 * storyboard; a 640x480 AVI gets a 360p rung too; a WAV gets an MP3 and a waveform; an H.264 MP4
 * gets no video; a BMP and a too-wide PNG get web JPEGs; a PDF gets its first page. Progress is
 * reported; aborting and the time limit kill ffmpeg and leave no file; random bytes, a missing tool
 * and the size cap fail with a clear error.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { derivativeClips } from '../../test/helpers/derivative-clips.js';
import { probeImage } from '../../test/helpers/media.js';
import { requireTools, tempDir } from '../../test/helpers/tools.js';
import { probeCodecFacts } from './codec-facts.js';
import type { DerivativePlan } from './derivative-plan.js';
import { planDerivatives } from './derivative-plan.js';
import { type DerivativeResult, derivativeTimeout, makeDerivative } from './make-derivative.js';

const LIMITS = { threads: 1 };

/** The top-level MP4 boxes, in file order. */
function topBoxes(path: string): string[] {
  const bytes = readFileSync(path);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    boxes.push(bytes.toString('latin1', at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

async function makeAll(input: string, dir: string) {
  const facts = await probeCodecFacts(input);
  const plans = planDerivatives(facts);
  const results = new Map<string, { plan: DerivativePlan; result: DerivativeResult }>();
  for (const plan of plans) {
    const result = await makeDerivative(plan, { input, output: join(dir, plan.fileName) }, LIMITS);
    results.set(plan.fileName, { plan, result });
  }
  return results;
}

function made(result: DerivativeResult | undefined) {
  assert.ok(result?.ok, `made: ${JSON.stringify(result)}`);
  return result;
}

async function assertWebMp4(path: string, width: number, height: number, audio = true) {
  const facts = await probeCodecFacts(path);
  assert.equal(facts.videoCodec, 'h264');
  assert.equal(facts.videoProfile, 'High');
  assert.equal(facts.pixelFormat, 'yuv420p');
  assert.equal(facts.audioCodec, audio ? 'aac' : null);
  assert.deepEqual([facts.width, facts.height], [width, height]);
  const boxes = topBoxes(path);
  assert.ok(
    boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'),
    `faststart: ${boxes}`,
  );
}

describe('makeDerivative with real ffmpeg', () => {
  test('an AVI (MPEG-4 Part 2 + MP3) gets a faststart H.264/AAC MP4, a poster and a storyboard', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const results = await makeAll(clips.avi, dir);
    assert.deepEqual([...results.keys()], ['video-240p.mp4', 'poster.jpg', 'storyboard.jpg']);
    const video = made(results.get('video-240p.mp4')?.result);
    assert.equal(video.path, join(dir, 'video-240p.mp4'));
    assert.deepEqual([video.width, video.height], [320, 240]);
    assert.ok(video.durationMs! > 1900 && video.durationMs! < 2200, `duration ${video.durationMs}`);
    assert.ok(video.bitrate! > 0);
    assert.equal(video.length, readFileSync(video.path).length);
    await assertWebMp4(video.path, 320, 240);

    const poster = made(results.get('poster.jpg')?.result);
    assert.deepEqual([poster.width, poster.height], [320, 240]);
    assert.equal(probeImage(poster.path).codec, 'mjpeg');
    const storyboard = made(results.get('storyboard.jpg')?.result);
    const layout = results.get('storyboard.jpg')!.plan.storyboard!;
    assert.deepEqual(
      [storyboard.width, storyboard.height],
      [layout.columns * layout.tileWidth, layout.rows * layout.tileHeight],
    );
    assert.deepEqual(readdirSync(dir).sort(), ['poster.jpg', 'storyboard.jpg', 'video-240p.mp4']);
  });

  test('an HEVC MKV becomes H.264/AAC; a 640x480 AVI also gets a 360p rung', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const plans = planDerivatives(await probeCodecFacts(clips.hevcMkv));
    const video = made(
      await makeDerivative(plans[0]!, { input: clips.hevcMkv, output: join(dir, 'hevc.mp4') }, LIMITS),
    );
    await assertWebMp4(video.path, 320, 240);

    const vga = planDerivatives(await probeCodecFacts(clips.aviVga)).filter((p) => p.kind === 'video');
    assert.deepEqual(
      vga.map((p) => [p.label, p.width, p.height]),
      [
        ['480p', 640, 480],
        ['360p', 480, 360],
      ],
    );
    const low = made(
      await makeDerivative(vga[1]!, { input: clips.aviVga, output: join(dir, 'low.mp4') }, LIMITS),
    );
    await assertWebMp4(low.path, 480, 360);
  });

  test('a rotated video comes out upright and non-square pixels come out square', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const rotated = planDerivatives(await probeCodecFacts(clips.rotated));
    assert.deepEqual([rotated[0]!.width, rotated[0]!.height], [240, 320]);
    const upright = made(
      await makeDerivative(rotated[0]!, { input: clips.rotated, output: join(dir, 'r.mp4') }, LIMITS),
    );
    await assertWebMp4(upright.path, 240, 320, false);
    assert.equal((await probeCodecFacts(upright.path)).rotation, 0);

    const wide = planDerivatives(await probeCodecFacts(clips.anamorphic));
    const square = made(
      await makeDerivative(wide[0]!, { input: clips.anamorphic, output: join(dir, 's.mp4') }, LIMITS),
    );
    await assertWebMp4(square.path, 384, 288, false);
    assert.equal((await probeCodecFacts(square.path)).pixelAspect, 1);
  });

  test('a WAV gets an MP3 at 128 kb/s and a waveform PNG; an H.264/AAC MP4 gets no video', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const results = await makeAll(clips.wav, dir);
    assert.deepEqual([...results.keys()], ['audio.mp3', 'waveform.png']);
    const mp3 = made(results.get('audio.mp3')?.result);
    const facts = await probeCodecFacts(mp3.path);
    assert.equal(facts.audioCodec, 'mp3');
    assert.equal(facts.container, 'mp3');
    assert.ok(mp3.bitrate! >= 120_000 && mp3.bitrate! <= 140_000, `bitrate ${mp3.bitrate}`);
    const waveform = made(results.get('waveform.png')?.result);
    assert.deepEqual([waveform.width, waveform.height], [1600, 200]);
    assert.equal((await probeCodecFacts(waveform.path)).codec, 'png');

    const mp4Plans = planDerivatives(await probeCodecFacts(clips.mp4));
    assert.deepEqual(
      mp4Plans.map((p) => p.kind),
      ['poster', 'storyboard'],
    );
  });

  test('a BMP and a PNG wider than 2048 px get web JPEGs; a small PNG gets nothing', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const bmp = planDerivatives(await probeCodecFacts(clips.bmp));
    assert.deepEqual(
      bmp.map((p) => p.fileName),
      ['image-web.jpg'],
    );
    const web = made(
      await makeDerivative(bmp[0]!, { input: clips.bmp, output: join(dir, 'bmp.jpg') }, LIMITS),
    );
    assert.deepEqual([web.width, web.height], [400, 300]);
    assert.equal(probeImage(web.path).codec, 'mjpeg');
    const wide = planDerivatives(await probeCodecFacts(clips.widePng));
    const small = made(
      await makeDerivative(wide[0]!, { input: clips.widePng, output: join(dir, 'wide.jpg') }, LIMITS),
    );
    assert.deepEqual([small.width, small.height], [2048, 98]);
    assert.deepEqual(planDerivatives(await probeCodecFacts(clips.png)), []);
  });

  test('a PDF gets its first page as a PNG', async (t) => {
    const clips = derivativeClips(t);
    if (!clips || !requireTools(t, 'pdftoppm')) return;
    const dir = tempDir(t);
    const [page] = planDerivatives(await probeCodecFacts(clips.pdf));
    const result = made(await makeDerivative(page!, { input: clips.pdf, output: join(dir, 'page-1.png') }));
    assert.deepEqual([result.width, result.height], [1024, 512]);
    assert.equal((await probeCodecFacts(result.path)).codec, 'png');
    assert.deepEqual(readdirSync(dir), ['page-1.png']);
  });

  test('progress is reported in order and ends at 1', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const [plan] = planDerivatives(await probeCodecFacts(clips.avi));
    const seen: number[] = [];
    made(
      await makeDerivative(
        plan!,
        { input: clips.avi, output: join(dir, 'v.mp4') },
        { ...LIMITS, onProgress: (f) => seen.push(f) },
      ),
    );
    assert.ok(seen.length >= 2, `progress: ${seen}`);
    assert.equal(seen.at(-1), 1);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
    );
    assert.ok(seen.slice(0, -1).every((f) => f >= 0 && f < 1));
  });

  test('aborting kills ffmpeg and leaves no file; so does the time limit', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const [plan] = planDerivatives(await probeCodecFacts(clips.avi));
    const output = join(dir, 'v.mp4');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const aborted = await makeDerivative(
      plan!,
      { input: clips.avi, output },
      { ...LIMITS, signal: controller.signal },
    );
    assert.deepEqual(aborted, { ok: false, error: 'aborted' });
    assert.ok(Date.now() - started < 1500);
    assert.deepEqual(readdirSync(dir), []);

    const early = new AbortController();
    early.abort();
    assert.deepEqual(await makeDerivative(plan!, { input: clips.avi, output }, { signal: early.signal }), {
      ok: false,
      error: 'aborted',
    });

    const late = await makeDerivative(plan!, { input: clips.avi, output }, { ...LIMITS, timeoutMs: 100 });
    assert.equal(late.ok, false);
    assert.match((late as { error: string }).error, /time limit/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('random bytes, a missing ffmpeg and the size cap fail with a clear error', async (t) => {
    const clips = derivativeClips(t);
    if (!clips) return;
    const dir = tempDir(t);
    const [plan] = planDerivatives(await probeCodecFacts(clips.avi));
    const output = join(dir, 'v.mp4');
    const garbage = await makeDerivative(plan!, { input: clips.garbage, output }, LIMITS);
    assert.equal(garbage.ok, false);
    assert.match(
      (garbage as { error: string }).error,
      /^ffmpeg failed: .*(Invalid data|could not find|unknown format)/i,
    );

    const missing = await makeDerivative(
      plan!,
      { input: clips.avi, output },
      { ffmpeg: join(dir, 'no-ffmpeg') },
    );
    assert.deepEqual(missing, { ok: false, error: `${join(dir, 'no-ffmpeg')} is not installed` });

    const capped = await makeDerivative(plan!, { input: clips.avi, output }, { ...LIMITS, maxBytes: 10_000 });
    assert.equal(capped.ok, false);
    assert.match((capped as { error: string }).error, /limit of 10000 bytes/);
    assert.equal(existsSync(output), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('the time limit scales with the duration', () => {
    const plan: DerivativePlan = { kind: 'video', label: '720p', fileName: 'v.mp4', mime: 'video/mp4' };
    assert.equal(derivativeTimeout(plan), 5 * 60_000);
    assert.equal(derivativeTimeout({ ...plan, seconds: 60 }), 660_000);
    assert.equal(derivativeTimeout({ ...plan, seconds: 36_000 }), 6 * 3600_000);
    assert.equal(derivativeTimeout({ ...plan, seconds: 60 }, 100_000), 100_000);
  });
});
