/**
 * Scenarios: a download that completes from a BEP 19 web seed alone (a plain HTTP server, no peers,
 * no tracker), and a download killed with SIGKILL at about half that, restarted, re-verifies what is
 * on disk and fetches only what is missing.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startRangeServer } from './helpers/range-server.js';
import { freePort, runCli, startCli, tempDir } from './helpers/tools.js';

async function fixture(
  t: TestContext,
  sizes: Record<string, number>,
  webSeed: (url: string) => string,
  rate?: number,
) {
  const dir = tempDir(t);
  const root = join(dir, 'www');
  const folder = join(root, 'Lecture Series');
  mkdirSync(join(folder, 'part 1'), { recursive: true });
  const files: Record<string, Buffer> = {};
  for (const [name, size] of Object.entries(sizes)) {
    files[name] = randomBytes(size);
    writeFileSync(join(folder, name), files[name]!);
  }
  const server = await startRangeServer(t, root, rate ? { bytesPerSecond: rate } : {});
  const torrent = join(dir, 'lectures.torrent');
  const created = await runCli([
    'create',
    folder,
    '-o',
    torrent,
    '--hybrid',
    '--piece-length',
    '65536',
    '-w',
    webSeed(server.url),
  ]);
  assert.equal(created.code, 0, created.stderr);
  return { dir, files, server, torrent };
}

function assertFiles(folder: string, files: Record<string, Buffer>) {
  for (const [name, data] of Object.entries(files)) {
    assert.ok(readFileSync(join(folder, name)).equals(data), `${name} is intact`);
  }
}

describe('download-webseed-only', { timeout: 240_000 }, () => {
  it('completes from a web seed alone, with Range requests', async (t) => {
    const f = await fixture(
      t,
      { 'part 1/talk.webm': 3_000_001, 'part 1/slides.pdf': 700_000, 'notes.txt': 999 },
      (u) => u,
    );
    const out = join(f.dir, 'out');
    const result = await runCli(['download', f.torrent, '-o', out, '--port', String(await freePort())]);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assertFiles(join(out, 'Lecture Series'), f.files);
    assert.ok(
      f.server.requests.length > 0 && f.server.requests.every((r) => /bytes=\d+-\d+$/.test(r)),
      'only Range requests',
    );
  });

  it('uses a web seed URL without a trailing slash as the folder URL', async (t) => {
    const f = await fixture(t, { 'part 1/a.bin': 200_000, 'b.bin': 50_000 }, (u) => u.replace(/\/$/, ''));
    const out = join(f.dir, 'out');
    const result = await runCli(['download', f.torrent, '-o', out, '--port', String(await freePort())]);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assertFiles(join(out, 'Lecture Series'), f.files);
  });
});

describe('download-resume-after-kill', { timeout: 240_000 }, () => {
  it('a download killed with SIGKILL at about half resumes and fetches only what is missing', async (t) => {
    const total = 12_000_000;
    const f = await fixture(
      t,
      { 'part 1/big.webm': total - 100_000, 'notes.txt': 100_000 },
      (u) => u,
      4_000_000,
    );
    const out = join(f.dir, 'out');
    const first = startCli(t, ['download', f.torrent, '-o', out, '--port', String(await freePort())]);
    const deadline = Date.now() + 60_000;
    while (f.server.served() < total / 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await first.exited;
    const servedBefore = f.server.served();
    assert.ok(
      servedBefore >= total / 2 && servedBefore < total,
      `killed at ${servedBefore} of ${total} bytes`,
    );

    const second = await runCli(['download', f.torrent, '-o', out, '--port', String(await freePort())]);
    assert.equal(second.code, 0, second.stderr.slice(-2000));
    assertFiles(join(out, 'Lecture Series'), f.files);
    const servedAgain = f.server.served() - servedBefore;
    // Pieces verified before the kill are kept; at most what was in flight is fetched twice.
    assert.ok(servedAgain <= total - servedBefore + 3_000_000, `second run fetched ${servedAgain} bytes`);
    assert.ok(servedAgain < total * 0.75, `second run fetched ${servedAgain} of ${total} bytes`);
  });
});
