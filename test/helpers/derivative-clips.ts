/**
 * Tiny real uploads that need derivatives (or not), made with Debian's ffmpeg from its synthetic
 * sources (2 s of `testsrc` at 320x240 and a `sine`): an AVI (MPEG-4 Part 2 + MP3), an HEVC MKV
 * (x265 + AAC), a WAV (PCM), an H.264/AAC MP4 that plays everywhere, a 640x480 AVI (so lower rungs
 * exist), a PNG, a wide PNG (2100x100, larger than a web image), a BMP, a minimal PDF written by
 * hand, random bytes named `.avi`, a rotated MP4 and an AVI with non-square pixels. `derivativeClips(t)` checks for ffmpeg and ffprobe first
 * (skipped loudly, or failing under CI=true) and makes the files once per test process.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTools, run } from './tools.js';

export interface DerivativeClips {
  avi: string;
  /** 640x480, 1 s, MPEG-4 Part 2 + MP3. */
  aviVga: string;
  hevcMkv: string;
  wav: string;
  /** H.264 (yuv420p) + AAC, `+faststart`. */
  mp4: string;
  png: string;
  /** 2100x100 PNG. */
  widePng: string;
  /** 400x300 BMP. */
  bmp: string;
  /** One page, 200x100 pt, PDF 1.4. */
  pdf: string;
  garbage: string;
  /** 320x240 MPEG-4 Part 2 in MP4 whose display matrix turns it 90 degrees (shown 240x320), 1 s. */
  rotated: string;
  /** 352x288 MPEG-4 Part 2 AVI with 12:11 pixels (shown 384x288), 1 s. */
  anamorphic: string;
}

const ffmpeg = (args: string[]) => run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

const AV = [
  ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2'],
  ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
];

export function makeDerivativeClips(dir: string): DerivativeClips {
  const p = (name: string) => join(dir, name);
  ffmpeg([...AV, '-c:v', 'mpeg4', '-c:a', 'libmp3lame', p('clip.avi')]);
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25:duration=1'],
    ...['-f', 'lavfi', '-i', 'sine=duration=1', '-c:v', 'mpeg4', '-c:a', 'libmp3lame', p('vga.avi')],
  ]);
  ffmpeg([
    ...AV,
    ...['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error'],
    ...['-c:a', 'aac', p('clip.mkv')],
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'pcm_s16le', p('clip.wav')]);
  ffmpeg([
    ...AV,
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    ...['-movflags', '+faststart', p('clip.mp4')],
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', p('image.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=2100x100', '-frames:v', '1', p('wide.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=400x300', '-frames:v', '1', p('image.bmp')]);
  const second = (size: string) => ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=1`];
  ffmpeg([...second('320x240'), '-c:v', 'mpeg4', p('upright.mp4')]);
  // A tag the MP4 muxer writes as the display matrix (stream copy: an encode would apply it).
  ffmpeg(['-i', p('upright.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', p('rotated.mp4')]);
  ffmpeg([...second('352x288'), '-c:v', 'mpeg4', '-vf', 'setsar=12/11', p('sar.avi')]);
  writeFileSync(p('doc.pdf'), minimalPdf());
  // Fixed noise (not `randomBytes`): random input now and then looks like a raw H.263 stream to ffmpeg.
  writeFileSync(p('garbage.avi'), noise(50_000));
  return {
    avi: p('clip.avi'),
    aviVga: p('vga.avi'),
    hevcMkv: p('clip.mkv'),
    wav: p('clip.wav'),
    mp4: p('clip.mp4'),
    png: p('image.png'),
    widePng: p('wide.png'),
    bmp: p('image.bmp'),
    pdf: p('doc.pdf'),
    garbage: p('garbage.avi'),
    rotated: p('rotated.mp4'),
    anamorphic: p('sar.avi'),
  };
}

let shared: DerivativeClips | undefined;

/** The clips, made once per test process (removed when it exits), or undefined when ffmpeg is missing. */
export function derivativeClips(t: TestContext): DerivativeClips | undefined {
  if (!requireTools(t, 'ffmpeg', 'ffprobe')) return undefined;
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-clips-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    shared = makeDerivativeClips(dir);
  }
  return shared;
}

/** A one-page PDF with a filled rectangle and a line of text, with a correct cross-reference table. */
export function minimalPdf(): Buffer {
  const content = 'q 0.2 0.4 0.8 rg 20 20 160 60 re f Q BT /F1 18 Tf 30 45 Td (Seedcast) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** Deterministic noise bytes (xorshift32 from a fixed seed). */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
