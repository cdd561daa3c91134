/**
 * Running external tools: output is collected, no shell ever sees the arguments, and a tool that
 * hangs, floods stdout, is aborted or is not installed ends as a plain result, not a rejection.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/helpers/tools.js';
import { runTool } from './run-tool.js';

describe('runTool', () => {
  test('collects stdout and the exit code; arguments reach the tool as they are, with no shell', async (t) => {
    const dir = tempDir(t);
    const planted = join(dir, 'planted');
    const result = await runTool('echo', [`$(touch ${planted})`, '; touch', planted]);
    assert.equal(result.ok, true);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.toString(), `$(touch ${planted}) ; touch ${planted}\n`);
    assert.equal(existsSync(planted), false);
  });

  test('a non-zero exit is a failure with the tail of stderr', async () => {
    const result = await runTool('sh', ['-c', 'echo broken >&2; exit 3']);
    assert.deepEqual([result.ok, result.failure, result.code, result.stderr], [false, 'exit', 3, 'broken\n']);
  });

  test('a tool that runs too long is killed at the time limit', async () => {
    const started = Date.now();
    const result = await runTool('sleep', ['30'], { timeoutMs: 200 });
    assert.equal(result.failure, 'timeout');
    assert.ok(Date.now() - started < 10_000, 'killed long before it would have ended');
  });

  test('a tool that prints more than the cap is killed and its output not kept past it', async () => {
    const result = await runTool('yes', [], { maxStdout: 100_000, timeoutMs: 20_000 });
    assert.equal(result.failure, 'overflow');
    assert.ok(result.stdout.length <= 100_000);
  });

  test('aborting kills the tool; a missing tool is reported as missing', async () => {
    const controller = new AbortController();
    const running = runTool('sleep', ['30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    assert.equal((await running).failure, 'aborted');
    const missing = await runTool('/nonexistent/ffprobe', ['-version']);
    assert.deepEqual([missing.ok, missing.failure], [false, 'missing']);
  });

  test('onStdoutLine gets each line as it comes, stdout is not kept, and an endless line is cut', async () => {
    const lines: string[] = [];
    const result = await runTool('sh', ['-c', 'printf "a=1\\nb=2\\r\\n"; sleep 0.1; printf "c=3"'], {
      onStdoutLine: (line) => {
        lines.push(line);
        if (line === 'b=2') throw new Error("a caller bug is not the tool's failure");
      },
    });
    assert.equal(result.ok, true);
    assert.deepEqual(lines, ['a=1', 'b=2', 'c=3']);
    assert.equal(result.stdout.length, 0);
    const flood = await runTool('sh', ['-c', 'head -c 100000 /dev/zero; sleep 5'], {
      maxStdout: 1000,
      onStdoutLine: () => {},
    });
    assert.equal(flood.ok, false);
    assert.equal(flood.failure, 'overflow');
  });
});
