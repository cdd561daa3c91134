/**
 * Coverage feedback for the fuzzer, from V8's precise block coverage through `node:inspector`
 * (`Profiler.startPreciseCoverage` with `callCount` and `detailed`). Each `take()` returns the
 * features hit since the last one and resets V8's counters: a feature is one block of one script of
 * interest together with the bucket of its execution count (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+,
 * as libFuzzer counts), so an input that runs a loop more times than before also counts as new.
 *
 * V8 reports, per function, the function's range and the blocks whose count differs from their
 * parent's; a block run as often as its parent is folded into it, and blocks not run appear with
 * count 0. So a block's own count is that of the innermost reported range containing it, and the
 * blocks of a function are learnt as they are reported (a block shows up, at the latest, in a take
 * where it did not run); only learnt blocks make features.
 *
 * The session is a same-thread inspector session, whose `post` answers synchronously; only scripts
 * whose URL matches `include` (the code under test, not the fuzzer or node_modules) are counted.
 */

import { Session } from 'node:inspector';

function bucket(count: number): number {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  url: string;
  functions: { ranges: Range[] }[];
}

export class Coverage {
  private readonly session = new Session();
  private readonly scripts = new Map<string, number>();
  /** Learnt blocks of each function ("script:start"), as [start, end] pairs. */
  private readonly blocks = new Map<string, { known: Set<number>; list: [number, number][] }>();

  constructor(private readonly include: (url: string) => boolean) {}

  start(): void {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }

  /** The features hit since the last call (and resets the counters). */
  take(): number[] {
    const result = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    const out: number[] = [];
    for (const script of result.result) {
      if (!this.include(script.url)) continue;
      let index = this.scripts.get(script.url);
      if (index === undefined) {
        index = this.scripts.size;
        this.scripts.set(script.url, index);
      }
      for (const fn of script.functions) {
        const ranges = fn.ranges;
        const first = ranges[0];
        if (!first) continue;
        const key = `${index}:${first.startOffset}`;
        let fnBlocks = this.blocks.get(key);
        if (!fnBlocks) {
          fnBlocks = { known: new Set(), list: [] };
          this.blocks.set(key, fnBlocks);
        }
        for (const r of ranges) {
          const id = r.startOffset * 0x40000 + Math.min(r.endOffset - r.startOffset, 0x3ffff);
          if (!fnBlocks.known.has(id)) {
            fnBlocks.known.add(id);
            fnBlocks.list.push([r.startOffset, r.endOffset]);
          }
        }
        if (first.count <= 0) continue;
        for (const [start, end] of fnBlocks.list) {
          // The innermost reported range holding the block gives its count (ranges nest, by start).
          let count = 0;
          for (const r of ranges) {
            if (r.startOffset > start) break;
            if (r.endOffset >= end) count = r.count;
          }
          if (count <= 0) continue;
          // script (10 bits) | start (21) | end - start (18) | bucket (4): fits a double exactly.
          const span = Math.min(end - start, 0x3ffff);
          out.push(((index * 0x200000 + start) * 0x40000 + span) * 16 + bucket(count));
        }
      }
    }
    return out;
  }

  private post(method: string, params?: object): unknown {
    let answer: unknown;
    let failure: Error | null = null;
    this.session.post(method, params ?? {}, (err, res) => {
      failure = err;
      answer = res;
    });
    if (failure) throw failure;
    return answer;
  }
}
