/**
 * What `media.analyze` and `media.derive` ask of the derivative makers: a plan (the rungs to make
 * from an original's facts, as plain JSON carried in the `media.derive` job) and the making of one
 * rung into a local file, with progress and an `AbortSignal`. `defaultMaker` is the site's: the
 * planner and ffmpeg commands of `derivatives.ts`; tests and the benchmark pass their own.
 */

import type { MediaFacts } from './media-facts.js';
import { hardenedInput, type MediaToolOptions } from './probe.js';
import { runTool } from './run-tool.js';
import type { DerivativeKind } from './view.js';

/** One derivative to make: what it is and the file name it gets in the derivatives torrent. */
export interface DerivativeRung {
  kind: DerivativeKind;
  label: string;
  /** File name (one safe path component) under `/items/:id/derivatives/`. */
  file: string;
  mime: string;
  width?: number;
  height?: number;
  /** Bits per second (audio and video). */
  bitrate?: number;
  durationMs?: number;
  /** The maker's own recipe (arguments, limits), kept as JSON. */
  recipe?: Record<string, unknown>;
}

export interface MakeOptions {
  signal: AbortSignal;
  /** 0..1 of this rung. */
  onProgress?: (fraction: number) => void;
}

export interface DerivativeMaker {
  /** The rungs to make from the original's facts (none when the original plays everywhere). */
  plan(facts: MediaFacts, input: string): DerivativeRung[] | Promise<DerivativeRung[]>;
  /** Makes one rung from the local `input` into the new file `output`; throws with the tool's error. */
  make(rung: DerivativeRung, input: string, output: string, options: MakeOptions): Promise<void>;
}

const PLAYS_VIDEO = new Set(['h264']);
const PLAYS_AUDIO = new Set(['mp3', 'aac', 'opus']);

/** The site's maker: an H.264/AAC MP4 ladder for video, an MP3 for audio browsers cannot play. */
export function defaultMaker(tools: MediaToolOptions = {}): DerivativeMaker {
  return {
    plan(facts) {
      if (!facts.probed) return [];
      if (facts.mediaType === 'video' && facts.width && facts.height) {
        const mp4 = /mp4|mov/.test(facts.container ?? '') && PLAYS_VIDEO.has(facts.codec ?? '');
        const rungs: DerivativeRung[] = [];
        const top = Math.min(facts.height, 1080);
        for (const height of [top, 720, 360]) {
          if (height > top || rungs.some((r) => r.height === height)) continue;
          if (mp4 && height === facts.height) continue; // the original plays at its own size
          const width = Math.round((facts.width * height) / facts.height / 2) * 2;
          rungs.push({
            kind: 'video',
            label: `${height}p`,
            file: `${height}p.mp4`,
            mime: 'video/mp4',
            width,
            height,
            ...(facts.durationMs ? { durationMs: facts.durationMs } : {}),
          });
        }
        return rungs;
      }
      if (facts.mediaType === 'audio' && !PLAYS_AUDIO.has(facts.codec ?? ''))
        return [
          {
            kind: 'audio',
            label: 'mp3',
            file: 'audio.mp3',
            mime: 'audio/mpeg',
            bitrate: 128_000,
            ...(facts.durationMs ? { durationMs: facts.durationMs } : {}),
          },
        ];
      return [];
    },
    async make(rung, input, output, options) {
      const args = [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        '-progress',
        'pipe:1',
        ...hardenedInput(input),
      ];
      if (rung.kind === 'video')
        args.push(
          '-map',
          '0:v:0',
          '-map',
          '0:a:0?',
          '-vf',
          `scale=-2:${rung.height}`,
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-pix_fmt',
          'yuv420p',
          '-c:a',
          'aac',
          '-b:a',
          '128k',
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
        );
      else args.push('-map', '0:a:0', '-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3');
      args.push('-y', `file:${output}`);
      const result = await runTool(tools.ffmpeg ?? 'ffmpeg', args, {
        timeoutMs: Math.max(tools.timeoutMs ?? 0, 3_600_000),
        maxStdout: 64 * 1024 * 1024,
        signal: options.signal,
      });
      options.signal.throwIfAborted();
      if (!result.ok)
        throw new Error(`ffmpeg ${rung.label}: ${result.failure}: ${result.stderr.trim().slice(-300)}`);
      options.onProgress?.(1);
    },
  };
}
