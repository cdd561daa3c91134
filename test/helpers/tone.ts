/** A real MP3 for end-to-end tests: `seconds` of a sine tone, made by Debian's ffmpeg. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run, tempDir } from './tools.js';

export function toneMp3(
  t: TestContext,
  options: { seconds: number; bitrate?: string; frequency?: number },
): Buffer {
  const out = join(tempDir(t, 'seedcast-tone-'), 'tone.mp3');
  run('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `sine=frequency=${options.frequency ?? 440}:sample_rate=44100`],
    ...['-t', String(options.seconds), '-c:a', 'libmp3lame', '-b:a', options.bitrate ?? '64k', out],
  ]);
  return readFileSync(out);
}
