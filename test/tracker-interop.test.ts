/**
 * Real BitTorrent clients find each other through Seedcast's tracker and complete a transfer:
 * libtorrent seeds and aria2c downloads over HTTP; aria2c seeds and libtorrent downloads over UDP
 * (BEP 15; aria2c speaks UDP trackers only with its DHT on, which has no nodes to find here).
 * Transmission's announces are answered. Peers learn about each other only from the tracker.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningTracker, startTracker } from '../src/tracker/index.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, tempDir } from './helpers/tools.js';
import { makeTorrent, startProc, waitFor } from './helpers/tracker-procs.js';

const LT_PEER = new URL('./helpers/tracker_lt_peer.py', import.meta.url).pathname;
const warnings: string[] = [];
let tracker: RunningTracker;

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

describe('tracker interop with real clients', () => {
  before(async () => {
    tracker = await startTracker({ port: 0, log: { warn: (m) => warnings.push(m) } });
  });
  after(async () => tracker.close());

  test('libtorrent seeds and aria2c downloads, finding each other over HTTP', async (t) => {
    if (!requireTools(t, 'mktorrent', 'aria2c', 'libtorrent')) return;
    const dir = tempDir(t);
    const seedDir = join(dir, 'seed');
    const outDir = join(dir, 'out');
    mkdirSync(seedDir);
    mkdirSync(outDir);
    writeFileSync(join(seedDir, 'media.bin'), randomBytes(3 * 1024 * 1024 + 123));
    const torrent = join(dir, 'media.torrent');
    const infoHash = makeTorrent(join(seedDir, 'media.bin'), `${tracker.httpUrl}/announce`, torrent);

    const seeder = startProc(LIBTORRENT_PYTHON, [
      LT_PEER,
      'seed',
      torrent,
      seedDir,
      String(await freePort()),
    ]);
    t.after(() => seeder.stop());
    await waitFor(
      'the libtorrent seeder to announce',
      async () => (await tracker.service.stats(infoHash)).seeders === 1,
      {
        detail: seeder.output,
      },
    );
    const aria = startProc('aria2c', [
      '--enable-dht=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      `--listen-port=${await freePort()}`,
      '--seed-time=0',
      '--summary-interval=0',
      '--console-log-level=warn',
      `--dir=${outDir}`,
      torrent,
    ]);
    t.after(() => aria.stop());
    const code = await Promise.race([
      aria.exited,
      new Promise<number>((r) => setTimeout(() => r(-99), 120_000).unref()),
    ]);
    assert.equal(code, 0, `aria2c failed:\n${aria.output()}\nseeder:\n${seeder.output()}`);
    assert.equal(sha1(join(outDir, 'media.bin')), sha1(join(seedDir, 'media.bin')));
    assert.match(seeder.output(), /"tracker_reply"/);
    const stats = await tracker.service.stats(infoHash);
    assert.deepEqual([stats.seeders, stats.leechers], [1, 0], "aria2c's stopped announce removed it");
  });

  test('aria2c seeds and libtorrent downloads, finding each other over UDP', async (t) => {
    if (!requireTools(t, 'mktorrent', 'aria2c', 'libtorrent')) return;
    const dir = tempDir(t);
    const seedDir = join(dir, 'seed');
    const outDir = join(dir, 'out');
    mkdirSync(seedDir);
    mkdirSync(outDir);
    writeFileSync(join(seedDir, 'clip.bin'), randomBytes(2 * 1024 * 1024 + 77));
    const torrent = join(dir, 'clip.torrent');
    const infoHash = makeTorrent(join(seedDir, 'clip.bin'), `${tracker.udpUrl}/announce`, torrent);
    const connectsBefore = tracker.service.metrics.connects;

    const aria = startProc('aria2c', [
      '--enable-dht=true',
      `--dht-listen-port=${await freePort()}`,
      `--dht-file-path=${join(dir, 'dht.dat')}`,
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      `--listen-port=${await freePort()}`,
      '--seed-ratio=0.0',
      '--check-integrity=true',
      '--bt-seed-unverified=false',
      '--summary-interval=0',
      `--dir=${seedDir}`,
      torrent,
    ]);
    t.after(() => aria.stop());
    await waitFor(
      'the aria2c seeder to announce over UDP',
      async () => (await tracker.service.stats(infoHash)).seeders === 1,
      {
        detail: aria.output,
      },
    );
    assert.ok(tracker.service.metrics.connects > connectsBefore, 'aria2c connected over BEP 15');
    const leecher = startProc(LIBTORRENT_PYTHON, [
      LT_PEER,
      'download',
      torrent,
      outDir,
      String(await freePort()),
    ]);
    t.after(() => leecher.stop());
    const code = await Promise.race([
      leecher.exited,
      new Promise<number>((r) => setTimeout(() => r(-99), 120_000).unref()),
    ]);
    assert.equal(code, 0, `libtorrent failed:\n${leecher.output()}\naria2c:\n${aria.output()}`);
    assert.match(leecher.output(), /"finished"/);
    assert.equal(sha1(join(outDir, 'clip.bin')), sha1(join(seedDir, 'clip.bin')));
  });

  test("transmission's announces are answered", async (t) => {
    if (!requireTools(t, 'mktorrent', 'transmission-cli')) return;
    const dir = tempDir(t);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dir, 'song.bin'), randomBytes(256 * 1024));
    const torrent = join(dir, 'song.torrent');
    const infoHash = makeTorrent(join(dir, 'song.bin'), `${tracker.httpUrl}/announce`, torrent);
    const errorsBefore = tracker.service.metrics.errorCount();
    const tr = startProc('transmission-cli', ['-p', String(await freePort()), '-w', dataDir, torrent], {
      cwd: dir,
    });
    t.after(() => tr.stop());
    await waitFor(
      'transmission to announce',
      async () => (await tracker.service.stats(infoHash)).leechers === 1,
      {
        detail: tr.output,
      },
    );
    assert.equal(tracker.service.metrics.errorCount(), errorsBefore, `no refusals: ${warnings.join('\n')}`);
  });
});
