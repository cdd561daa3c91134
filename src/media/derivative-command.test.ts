/**
 * The command lines built for each plan: hardened input, no stdin, progress on stdout, size and
 * duration caps, metadata dropped, an explicit muxer and codec settings (x264 High at its level,
 * yuv420p, faststart, AAC/MP3), pictures as JPEG or PNG, and pdftoppm for a PDF's page; relative
 * paths are refused.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codecFacts } from './codec-facts.js';
import { derivativeCommand } from './derivative-command.js';
import { type DerivativePlan, planDerivatives } from './derivative-plan.js';

const facts = codecFacts(
  {
    format: { format_name: 'avi', duration: '10.0' },
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'mpeg4',
        width: 1280,
        height: 720,
        pix_fmt: 'yuv420p',
        avg_frame_rate: '25/1',
      },
      { index: 1, codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' },
    ],
  },
  'in.avi',
);
const plans = planDerivatives(facts);
const plan = (file: string): DerivativePlan => plans.find((p) => p.fileName === file)!;
const paths = { input: '/data/in.avi', output: '/tmp/out.partial' };

/** The value after `flag` (the first occurrence at or after `from`). */
function after(args: string[], flag: string, from = 0): string | undefined {
  const i = args.indexOf(flag, from);
  return i < 0 ? undefined : args[i + 1];
}

describe('derivativeCommand', () => {
  test('video: hardened input, progress, caps, x264 High at its level, AAC, faststart MP4', () => {
    const { command, args, writes } = derivativeCommand(plan('video-720p.mp4'), paths, {
      maxBytes: 5_000_000,
      threads: 2,
    });
    assert.equal(command, 'ffmpeg');
    assert.equal(writes, '/tmp/out.partial');
    const input = args.indexOf('-i');
    assert.equal(args[input + 1], 'file:/data/in.avi');
    assert.equal(after(args, '-protocol_whitelist'), 'file');
    assert.ok(after(args, '-format_whitelist')?.split(',').includes('avi'));
    assert.ok(args.indexOf('-nostdin') < input);
    assert.equal(after(args, '-progress'), 'pipe:1');
    assert.equal(after(args, '-t'), '50.000');
    assert.ok(args.indexOf('-t') < input, '-t limits what is read');
    assert.equal(after(args, '-threads'), '2');
    assert.equal(after(args, '-fs'), '5000000');
    assert.equal(after(args, '-map_metadata'), '-1');
    assert.equal(after(args, '-c:v'), 'libx264');
    assert.equal(after(args, '-preset'), 'veryfast');
    assert.equal(after(args, '-crf'), '23');
    assert.equal(after(args, '-profile:v'), 'high');
    assert.equal(after(args, '-level:v'), '3.1');
    assert.equal(after(args, '-pix_fmt'), 'yuv420p');
    assert.equal(after(args, '-maxrate'), '3000000');
    assert.equal(after(args, '-bufsize'), '6000000');
    assert.equal(after(args, '-vf'), 'scale=w=1280:h=720:force_divisible_by=2,setsar=1');
    assert.equal(after(args, '-c:a'), 'aac');
    assert.equal(after(args, '-b:a'), '128000');
    assert.equal(after(args, '-movflags'), '+faststart');
    assert.equal(after(args, '-f', input), 'mp4');
    assert.deepEqual(args.slice(-2), ['-y', '/tmp/out.partial']);
    assert.deepEqual(
      args.filter((_a, i) => args[i - 1] === '-map'),
      ['0:0', '0:1'],
    );
  });

  test('poster, storyboard and web image are single JPEG frames; waveform is PNG', () => {
    const poster = derivativeCommand(plan('poster.jpg'), paths).args;
    assert.equal(after(poster, '-ss'), '1.000');
    assert.ok(poster.indexOf('-ss') < poster.indexOf('-i'));
    assert.equal(after(poster, '-frames:v'), '1');
    assert.equal(after(poster, '-c:v'), 'mjpeg');
    assert.equal(after(poster, '-f', poster.indexOf('-i')), 'image2');

    const storyboard = derivativeCommand(plan('storyboard.jpg'), paths).args;
    assert.equal(
      after(storyboard, '-vf'),
      'fps=1/1,scale=w=160:h=90:force_divisible_by=2,setsar=1,tile=10x1',
    );

    const wav = codecFacts(
      {
        format: { format_name: 'wav', duration: '3' },
        streams: [
          { index: 0, codec_type: 'audio', codec_name: 'pcm_s16le', channels: 1, sample_rate: '44100' },
        ],
      },
      'a.wav',
    );
    const [mp3, waveform] = planDerivatives(wav);
    const mp3Args = derivativeCommand(mp3!, paths).args;
    assert.equal(after(mp3Args, '-c:a'), 'libmp3lame');
    assert.equal(after(mp3Args, '-ac'), '1');
    assert.equal(after(mp3Args, '-f', mp3Args.indexOf('-i')), 'mp3');
    const waveArgs = derivativeCommand(waveform!, paths).args;
    assert.match(after(waveArgs, '-filter_complex')!, /^\[0:0\]aformat=.*showwavespic=s=1600x200/);
    assert.equal(after(waveArgs, '-c:v'), 'png');
  });

  test('a PDF page is drawn by pdftoppm, which names its output', () => {
    const [page] = planDerivatives(codecFacts(undefined, 'paper.pdf'));
    const partial = derivativeCommand(page!, { input: '/data/paper.pdf', output: '/tmp/page-1.png.partial' });
    assert.equal(partial.command, 'pdftoppm');
    assert.deepEqual(partial.args, [
      ...['-f', '1', '-l', '1', '-singlefile', '-png', '-scale-to', '1024'],
      ...['/data/paper.pdf', '/tmp/page-1.png.partial'],
    ]);
    assert.equal(partial.writes, '/tmp/page-1.png.partial.png');
    const direct = derivativeCommand(page!, { input: '/data/paper.pdf', output: '/tmp/page-1.png' });
    assert.equal(direct.args.at(-1), '/tmp/page-1');
    assert.equal(direct.writes, '/tmp/page-1.png');
  });

  test('relative paths are refused', () => {
    assert.throws(
      () => derivativeCommand(plan('poster.jpg'), { input: 'in.avi', output: '/tmp/x' }),
      /absolute/,
    );
    assert.throws(() => derivativeCommand(plan('poster.jpg'), { input: '/in.avi', output: 'x' }), /absolute/);
    const [page] = planDerivatives(codecFacts(undefined, 'paper.pdf'));
    assert.throws(() => derivativeCommand(page!, { input: '-paper.pdf', output: '/tmp/x' }), /absolute/);
  });
});
