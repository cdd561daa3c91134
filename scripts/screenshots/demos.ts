/**
 * The screenshot script's demo media: six items made by ffmpeg (videos, audio, an image, with
 * descriptions, licences and tags), who publishes each, the channel images and the video caught
 * mid-upload. Nothing runs at import time; `makeDemo` and friends write into a work folder.
 */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface Demo {
  /** Who publishes it: the admin (`demo`) or the second account (`marta`). */
  owner: 'demo' | 'marta';
  file: string;
  ffmpeg: string[];
  title: string;
  description: string;
  creator: string;
  date: string;
  license: string;
  tags: string;
}

export const DEMOS: Demo[] = [
  {
    owner: 'marta',
    file: 'rain-on-a-tin-roof.m4a',
    ffmpeg: ['-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.3', '-t', '20', '-c:a', 'aac'],
    title: 'Rain on a tin roof',
    description:
      'Twenty seconds of steady rain on the shed roof, recorded at dusk. Good for **sleep**, focus, or as a bed under a podcast.\n\nRecorded with a handheld recorder, no processing.',
    creator: 'Marta Field Recordings',
    date: '2025-10-12',
    license: 'https://creativecommons.org/licenses/by-sa/4.0/',
    tags: 'field recording, rain, ambient',
  },
  {
    owner: 'demo',
    file: 'colour-bars.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'smptehdbars=size=1280x720:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=1000',
      '-t',
      '8',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      '-movflags',
      '+faststart',
    ],
    title: 'SMPTE colour bars with 1 kHz tone',
    description:
      'Reference bars and tone for checking a display or a broadcast chain. See [SMPTE RP 219](https://en.wikipedia.org/wiki/SMPTE_color_bars).',
    creator: 'Community Video Lab',
    date: '2025-06',
    license: 'https://creativecommons.org/publicdomain/zero/1.0/',
    tags: 'test, broadcast, calibration',
  },
  {
    owner: 'demo',
    file: 'game-of-life.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'life=size=640x360:mold=10:rate=25:ratio=0.1:death_color=#203040:life_color=#7fd891',
      '-t',
      '8',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ],
    title: "Conway's Game of Life, 200 generations",
    description: 'A random soup settling into still lifes, blinkers and gliders.',
    creator: 'Ada Lovelace Society',
    date: '2024',
    license: 'https://creativecommons.org/licenses/by-nc/4.0/',
    tags: 'mathematics, animation, cellular automata',
  },
  {
    owner: 'marta',
    file: 'tuning-fork-a440.m4a',
    ffmpeg: ['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '10', '-c:a', 'aac'],
    title: 'Tuning fork, A440',
    description: 'Concert pitch A for tuning instruments: 440 Hz for ten seconds.',
    creator: 'Open Music School',
    date: '2023-03-01',
    license: 'https://creativecommons.org/publicdomain/mark/1.0/',
    tags: 'music, tuning, reference',
  },
  {
    owner: 'demo',
    file: 'sunset-gradient.png',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'gradients=size=1280x720:c0=#ff7e5f:c1=#2b5876:n=2:seed=7',
      '-frames:v',
      '1',
    ],
    title: 'Sunset gradient wallpaper',
    description: 'A soft orange-to-blue gradient, 1280x720. Free to use as a desktop background.',
    creator: 'Pixel Commons',
    date: '2025-01-20',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    tags: 'wallpaper, image',
  },
  {
    owner: 'demo',
    file: 'mandelbrot-zoom.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'mandelbrot=size=1280x720:rate=25',
      '-t',
      '10',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ],
    title: 'A dive into the Mandelbrot set',
    description:
      'Ten seconds zooming into the *seahorse valley* of the Mandelbrot set, rendered frame by frame.\n\n- 1280x720, 25 fps\n- H.264\n\nShare it, remix it: just credit the studio.',
    creator: 'Demo Studio',
    date: '2025-11-02',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    tags: 'fractal, mathematics, animation',
  },
];

/** Runs ffmpeg with `args` into `work/file`; returns the path. */
export function ffmpeg(work: string, file: string, args: string[]): string {
  const out = join(work, file);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, out]);
  return out;
}

/** Makes a demo's media file in `work`. */
export function makeDemo(work: string, demo: Demo): string {
  return ffmpeg(work, demo.file, demo.ffmpeg);
}

/** A square channel avatar and a wide banner (PNG). */
export function makeChannelImages(work: string): { avatar: string; banner: string } {
  return {
    avatar: ffmpeg(work, 'avatar.png', ['-f', 'lavfi', '-i', 'mandelbrot=size=256x256', '-frames:v', '1']),
    banner: ffmpeg(work, 'banner.png', [
      '-f',
      'lavfi',
      '-i',
      'gradients=size=1600x400:c0=#2b5876:c1=#4e4376:c2=#7fd891:n=3:seed=3',
      '-frames:v',
      '1',
    ]),
  };
}

/**
 * A video that is never published, for the upload page caught mid-upload: `n` varies its length so
 * each shot uploads different bytes (a site refusing duplicate uploads early would stop a second one).
 */
export function makeUploadVideo(work: string, n: number): string {
  return ffmpeg(work, `harbour-${n}.mp4`, [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=1280x720:rate=25`,
    '-t',
    String(6 + n),
    '-c:v',
    'libx264',
    '-b:v',
    '3M',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
  ]);
}
