/**
 * The last-resort handler of the long-running commands (issue 15, finding 1): in a real child
 * process, an error that escapes every `catch` from one session's store fails that session only and
 * is logged; an uncaught exception is logged; the process keeps serving, and a peer downloads the
 * other torrent from it. (Without the handler Node exits at the first of them.)
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { tempDir } from './helpers/tools.js';

const CHILD = new URL('./helpers/last-resort-child.ts', import.meta.url).pathname;

test('an escaped store error fails its session only; an uncaught exception is logged; the process serves on', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CHILD, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /FAILED x EIO/);
  assert.match(
    out,
    /LOG child: unhandled rejection: EIO: i\/o error \(its torrent was stopped\); still running/,
  );
  assert.match(out, /LOG child: uncaught exception: boom from a timer; still running/);
  assert.match(out, /COMPLETE y true x-running false y-running true/);
});
