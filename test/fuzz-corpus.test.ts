/**
 * Replays every fuzz target's seed corpus (fuzz/corpus/<target>/) and every finding the fuzzer ever
 * saved (fuzz/crashes/<target>/) through the target's contract: each input must give a value of the
 * right shape or a SeedcastError, within the fuzzer's 2 s per input. A finding stays here once
 * fixed, as its regression test.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { check } from '../fuzz/engine/target.js';
import { loadTarget, TARGETS } from '../fuzz/targets/index.js';

const files = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((f) => join(dir, f))
    : [];

describe('fuzz corpora and findings replayed through their targets', () => {
  for (const name of Object.keys(TARGETS)) {
    test(name, async () => {
      const run = (await loadTarget(name)).make();
      const seeds = files(join('fuzz', 'corpus', name));
      assert.ok(seeds.length > 0, `fuzz/corpus/${name} has seeds`);
      for (const file of [...seeds, ...files(join('fuzz', 'crashes', name))]) {
        const data = readFileSync(file);
        const t0 = performance.now();
        const err = check(run, data);
        const ms = performance.now() - t0;
        assert.equal(
          err,
          null,
          `${file}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        // The fuzzer's own bound on one input (a hang is a finding too).
        assert.ok(ms < 2000, `${file} took ${ms.toFixed(0)} ms`);
      }
    });
  }
});
