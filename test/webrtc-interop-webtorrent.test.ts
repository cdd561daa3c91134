/**
 * Interop: the real WebTorrent browser client (the `webtorrent` package's browser build in headless
 * Chromium) downloads a published item from the site's WebRTC peer alone: a magnet link with one
 * WebSocket tracker and no web seed, so the metadata (BEP 9) and every piece come over one WebRTC
 * data channel from the site's seeding engine, signalled through the site's own WebSocket tracker
 * (`/announce`). The page's SHA-256 of the file must match, and the
 * site must count the bytes as WebRTC traffic of the item (none as TCP).
 *
 * WebRTC on loopback needs a network namespace with only `lo` (Chromium offers only the machine's
 * network address otherwise): the whole scenario runs in a child process under `unshare -n`
 * (`helpers/webrtc-interop-child.ts`). Needs root, unshare, ip, chromium and @roamhq/wrtc: skipped
 * loudly without them, a failure under CI=true.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { webRtcAvailability } from '../src/engine/index.js';
import { CHROMIUM } from './helpers/browser.js';
import { requireTools } from './helpers/tools.js';

const CHILD = fileURLToPath(new URL('./helpers/webrtc-interop-child.ts', import.meta.url));

function skip(t: TestContext, why: string): void {
  if (process.env.CI === 'true') throw new Error(why);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${why} ***\n\n`);
  t.skip(why);
}

/** Runs the child in a namespace with only loopback; resolves its RESULT. */
function runInNamespace(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" --import tsx "$1"', process.execPath, CHILD],
      { env: { ...process.env, WEBRTC_INTEROP: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as Record<string, unknown>);
      else reject(new Error(`child exited ${code}:\n${err.slice(-4000)}`));
    });
  });
}

test('the WebTorrent browser client downloads an item from the site WebRTC peer alone', async (t) => {
  if (process.getuid?.() !== 0) return skip(t, 'needs root for a network namespace (unshare -n)');
  if (!requireTools(t, 'unshare', 'ip')) return;
  if (!existsSync(CHROMIUM)) return skip(t, `needs ${CHROMIUM}`);
  const available = await webRtcAvailability();
  if (!available.on) return skip(t, available.reason);

  const result = await runInNamespace({ size: 3 * 1024 * 1024 + 12345 });
  const browser = result.browser as Record<string, unknown>;
  assert.equal(browser.error, undefined, String(browser.error));
  assert.equal(browser.sha256, result.expectedSha256, 'the page got the exact file');
  assert.equal(browser.length, result.size);
  assert.equal(browser.webSeeds, 0, 'no web seed in play');
  const traffic = result.traffic as { tcp: number; webrtc: number };
  assert.ok(traffic.webrtc >= (result.size as number), `site sent ${traffic.webrtc} bytes over WebRTC`);
  assert.equal(traffic.tcp, 0);
});
