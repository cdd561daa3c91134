/**
 * Interop: Transmission (transmission-cli) downloads from a seeder made of `PeerConnection`s, given
 * only a magnet link whose tracker points at it: its ut_metadata request, its Fast-extension
 * messages and its block requests must all be understood, and it must write exactly our bytes.
 *
 * Transmission 3.00 ignores 127.x peers handed out by trackers (its "martian address" filter), so the
 * seeder listens on this machine's first non-loopback IPv4 address. Transmission announces each piece
 * it verified with `have`; once every piece is in, it is stopped (which flushes its cache) and its file
 * compared. Skips loudly without transmission-cli, mktorrent or such an address; fails when CI=true.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BLOCK_LENGTH } from '../src/wire/index.js';
import { makeTorrent, startTinyTracker, startWireSeeder, unexpectedErrors } from './wire-seeder.js';

function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const host = lanAddress();

function missingTools(): string | undefined {
  if (spawnSync('transmission-cli', ['--version'], { stdio: 'ignore' }).error) return 'transmission-cli';
  if (spawnSync('mktorrent', ['-h'], { stdio: 'ignore' }).error) return 'mktorrent';
  if (!host) return 'a non-loopback IPv4 address';
  return undefined;
}

const missing = missingTools();
if (missing && process.env.CI === 'true') throw new Error(`interop test needs ${missing}, which is missing`);
if (missing) console.warn(`SKIPPING wire-interop-transmission: ${missing} is missing`);

/** A TCP port free right now, for Transmission's own listening socket. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

describe('wire interop with Transmission', { skip: missing ? `${missing} missing` : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-wire-tr-'));
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const cleanup of cleanups) cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('transmission-cli downloads a magnet link from a PeerConnection seeder', {
    timeout: 120_000,
  }, async () => {
    const sub = join(dir, 'serve');
    const out = join(dir, 'download');
    const config = join(dir, 'config');
    for (const d of [sub, out, config]) mkdirSync(d);
    const torrent = makeTorrent(sub);
    const seeder = await startWireSeeder(torrent, { host });
    cleanups.push(seeder.close);
    const tracker = await startTinyTracker(seeder.port, { host });
    cleanups.push(tracker.close);
    writeFileSync(
      join(config, 'settings.json'),
      JSON.stringify({
        'dht-enabled': false,
        'lpd-enabled': false,
        'utp-enabled': false,
        'port-forwarding-enabled': false,
      }),
    );

    const magnet = `magnet:?xt=urn:btih:${torrent.infoHash.toString('hex')}&dn=data.bin&tr=${encodeURIComponent(tracker.url)}`;
    const transmission = spawn(
      'transmission-cli',
      ['-g', config, '-w', out, '-p', String(await freePort()), magnet],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    transmission.stderr.on('data', (d) => {
      log = (log + d).slice(-4000);
    });
    const exited = once(transmission, 'exit');
    cleanups.push(() => transmission.kill());
    await Promise.race([
      seeder.completed,
      exited.then(() => assert.fail(`transmission-cli exited early:\n${log}`)),
    ]);
    transmission.kill('SIGTERM'); // a clean stop writes out Transmission's cache
    await exited;

    assert.deepEqual(
      readFileSync(join(out, 'data.bin')),
      torrent.content,
      'Transmission wrote exactly our bytes',
    );
    assert.ok(seeder.served.metadata >= 1, 'Transmission fetched the metadata from us');
    const blocks = Math.ceil(torrent.content.length / BLOCK_LENGTH);
    assert.ok(seeder.served.blocks >= blocks, `served ${seeder.served.blocks} blocks`);
    assert.ok(
      [...seeder.served.clients].some((v) => v.startsWith('Transmission')),
      'the peer was Transmission',
    );
    assert.deepEqual(unexpectedErrors(seeder.errors), [], 'no protocol error besides the encrypted attempts');
  });
});
