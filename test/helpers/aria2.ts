/**
 * aria2c as a test client: `aria2Download` fetches a `.torrent` file or a magnet link into a folder
 * with only the swarm the torrent names (no DHT, local peer discovery or PEX), exits once complete
 * and fails the test with aria2c's output otherwise; `copiesOf` lists the files under a folder whose
 * bytes equal the expected ones.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './tools.js';

/** Downloads `source` (a .torrent path or a magnet) into `out` with aria2c; asserts it exits 0. */
export async function aria2Download(
  t: TestContext,
  out: string,
  source: string,
  extraArgs: readonly string[] = [],
): Promise<void> {
  mkdirSync(out, { recursive: true });
  const aria2 = spawn(
    'aria2c',
    [
      `--dir=${out}`,
      `--listen-port=${await freePort()}`,
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--seed-time=0',
      '--bt-save-metadata=false',
      '--file-allocation=none',
      '--summary-interval=0',
      '--console-log-level=warn',
      ...extraArgs,
      source,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => aria2.kill('SIGKILL'));
  let log = '';
  aria2.stdout.on('data', (d) => {
    log += d;
  });
  aria2.stderr.on('data', (d) => {
    log += d;
  });
  const [code] = await once(aria2, 'exit');
  assert.equal(code, 0, `aria2c failed:\n${log}`);
}

/** Files under `dir` (recursively) whose bytes are exactly `expected`. */
export function copiesOf(dir: string, expected: Buffer): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => statSync(p).size === expected.length && readFileSync(p).equals(expected));
}
