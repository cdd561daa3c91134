/**
 * What `media.analyze` and `media.derive` ask of the derivative makers: a plan (the derivatives to
 * make for an original, plain JSON carried in the `media.derive` job) and the making of one of them
 * into a local file, with progress and an `AbortSignal`. `defaultMaker` is the site's: codec facts
 * (`codec-facts.ts`), `planDerivatives` and `makeDerivative` (ffmpeg, pdftoppm); tests and the
 * benchmark may pass their own.
 */

import { codecFacts } from './codec-facts.js';
import type { CommandOptions } from './derivative-command.js';
import { type DerivativePlan, type PlanOptions, planDerivatives } from './derivative-plan.js';
import { makeDerivative } from './make-derivative.js';
import { type MediaToolOptions, probeFile } from './probe.js';

export interface MakeOptions {
  signal: AbortSignal;
  /** 0..1 of this derivative. */
  onProgress?: (fraction: number) => void;
}

/** What the made file turned out to be (as ffprobe reads it). */
export interface MadeDerivative {
  width?: number;
  height?: number;
  bitrate?: number;
  durationMs?: number;
}

export interface DerivativeMaker {
  /** The derivatives for the local file `input`, named `name` by its publisher (none when it plays everywhere). */
  plan(input: string, name: string, options: { signal: AbortSignal }): Promise<DerivativePlan[]>;
  /** Makes one derivative from `input` into the new file `output`; throws with the tool's error. */
  make(plan: DerivativePlan, input: string, output: string, options: MakeOptions): Promise<MadeDerivative>;
}

export type MakerOptions = MediaToolOptions & CommandOptions & { plan?: PlanOptions };

/** The site's maker: the ladder of `derivative-plan.ts`, made by `make-derivative.ts`. */
export function defaultMaker(tools: MakerOptions = {}): DerivativeMaker {
  return {
    async plan(input, name, { signal }) {
      // PDFs are not for ffprobe: their facts come from the name.
      const pdf = /\.pdf$/i.test(name);
      const probe = pdf ? undefined : await probeFile(input, { ...tools, signal });
      return planDerivatives(codecFacts(probe?.ok ? probe.json : undefined, name), tools.plan);
    },
    async make(plan, input, output, options) {
      const { timeoutMs: _probeTimeout, ...command } = tools;
      const made = await makeDerivative(
        plan,
        { input, output },
        {
          ...command,
          signal: options.signal,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
      );
      options.signal.throwIfAborted();
      if (!made.ok) throw new Error(made.error);
      const { width, height, bitrate, durationMs } = made;
      return {
        ...(width ? { width } : {}),
        ...(height ? { height } : {}),
        ...(bitrate ? { bitrate } : {}),
        ...(durationMs ? { durationMs } : {}),
      };
    },
  };
}
