/**
 * The README's quick start: the package's `bin` runs the compiled CLI (built by `npm install`'s
 * `prepare`), and `seedcast serve` (what `npm start` runs) listens and prints its URL.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort, testEnv } from './helpers/tools.js';

const BIN = new URL('../bin/seedcast.js', import.meta.url).pathname;

describe('quick start', () => {
  it('the seedcast bin prints its help', () => {
    const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: seedcast <command>/);
  });

  it('seedcast serve prints its URL and answers /healthz', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testEnv(),
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      assert.equal(line, `listening on http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(
        await health.json(),
        { status: 'ok', addon: 'native' },
        'the C addon is built and in use',
      );
      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.match(await home.text(), /Seedcast/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0, 'serve stops cleanly on SIGTERM');
  });
});
