/**
 * Interop: aria2c downloads from a seeder made of `PeerConnection`s, given only a magnet link whose
 * tracker points at it. aria2 is a second, independent implementation of BEP 3, 6, 9 and 10: it must
 * fetch the metadata from us with ut_metadata, then every block, and write exactly our bytes. Skips
 * loudly without aria2c or mktorrent, and fails instead when CI=true.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BLOCK_LENGTH } from '../src/wire/index.js';
import { aria2Download } from './helpers/aria2.js';
import { makeTorrent, startTinyTracker, startWireSeeder, unexpectedErrors } from './wire-seeder.js';

function missingTools(): string | undefined {
  if (spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).error) return 'aria2c';
  if (spawnSync('mktorrent', ['-h'], { stdio: 'ignore' }).error) return 'mktorrent';
  return undefined;
}

const missing = missingTools();
if (missing && process.env.CI === 'true')
  throw new Error(`interop test needs ${missing}, which is not installed`);
if (missing) console.warn(`SKIPPING wire-interop-aria2: ${missing} is not installed`);

describe('wire interop with aria2c', { skip: missing ? `${missing} not installed` : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-wire-aria2-'));
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const cleanup of cleanups) cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aria2c downloads a magnet link from a PeerConnection seeder', { timeout: 90_000 }, async (t) => {
    const sub = join(dir, 'serve');
    const out = join(dir, 'download');
    mkdirSync(sub);
    mkdirSync(out);
    const torrent = makeTorrent(sub);
    const seeder = await startWireSeeder(torrent);
    cleanups.push(seeder.close);
    const tracker = await startTinyTracker(seeder.port);
    cleanups.push(tracker.close);

    const magnet = `magnet:?xt=urn:btih:${torrent.infoHash.toString('hex')}&dn=data.bin&tr=${encodeURIComponent(tracker.url)}`;
    await aria2Download(t, out, magnet, ['--bt-tracker-interval=5']);

    assert.deepEqual(readFileSync(join(out, 'data.bin')), torrent.content, 'aria2c wrote exactly our bytes');
    assert.ok(tracker.announces() >= 1);
    assert.ok(seeder.served.metadata >= 1, 'aria2c fetched the metadata from us');
    const blocks = Math.ceil(torrent.content.length / BLOCK_LENGTH);
    assert.ok(seeder.served.blocks >= blocks, `served ${seeder.served.blocks} blocks`);
    assert.deepEqual(unexpectedErrors(seeder.errors), [], 'no protocol error');
  });
});
