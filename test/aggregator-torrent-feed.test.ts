/**
 * The aggregator with a feed whose enclosures are torrents seeded by libtorrent (through a Seedcast
 * tracker): a `.torrent` enclosure (the BitTorrent-first form), an HTTP enclosure with a magnet link as
 * its `podcast:alternateEnclosure` (the swarm is preferred), and one whose torrent has no seeder (HTTP
 * fallback after the swarm timeout). `sync --once` fetches all intact, a second run fetches nothing, and
 * after a restart the aggregator seeds again: a libtorrent client downloads from it.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { type LibraryJson, rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import {
  freePort,
  LIBTORRENT_PYTHON,
  requireTools,
  run,
  runCli,
  start,
  startCli,
  tempDir,
} from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

interface Episode {
  name: string;
  data: Buffer;
  torrent: Buffer;
  torrentPath: string;
  infoHash: string;
}

async function episode(
  t: TestContext,
  dir: string,
  name: string,
  size: number,
  tracker: string,
): Promise<Episode> {
  const data = randomBytes(size);
  const file = join(dir, 'seed', name);
  writeFileSync(file, data);
  const torrentPath = join(dir, `${name}.torrent`);
  const r = await runCli(['create', file, '-o', torrentPath, '-a', tracker, '--piece-length', '65536']);
  assert.equal(r.code, 0, r.stderr);
  const torrent = readFileSync(torrentPath);
  t.diagnostic(`${name}: ${parseTorrent(torrent).infoHash}`);
  return { name, data, torrent, torrentPath, infoHash: parseTorrent(torrent).infoHash };
}

async function ltSeed(t: TestContext, e: Episode, dir: string): Promise<ReturnType<typeof start>> {
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', e.torrentPath, join(dir, 'seed')]);
  await seeder.waitFor(/"port": (\d+)/);
  return seeder;
}

describe('aggregator with a feed of torrents seeded by libtorrent', () => {
  it('fetches through the swarm (HTTP only as the fallback), then seeds again after a restart', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    mkdirSync(join(dir, 'seed'));
    const home = join(dir, 'home');
    const env = { SEEDCAST_HOME: home };
    const trackerPort = await freePort();
    const tracker = startCli(t, ['tracker', '--host', '127.0.0.1', '--port', String(trackerPort)]);
    await tracker.waitFor(/listening on/);
    const announce = `http://127.0.0.1:${trackerPort}/announce`;

    const a = await episode(t, dir, 'a.webm', 3_000_017, announce);
    const b = await episode(t, dir, 'b.mp3', 1_234_567, announce);
    const c = await episode(t, dir, 'c.mp3', 400_000, announce); // nobody seeds it
    const seeders = [await ltSeed(t, a, dir), await ltSeed(t, b, dir)];

    const host = await startPodcastHost(t);
    host.set('/a.torrent', { body: a.torrent, type: 'application/x-bittorrent' });
    host.set('/b.mp3', { body: b.data, type: 'audio/mpeg' });
    host.set('/c.mp3', { body: c.data, type: 'audio/mpeg' });
    host.set('/c.torrent', { body: c.torrent, type: 'application/x-bittorrent' });
    const magnetB = `magnet:?xt=urn:btih:${b.infoHash}&dn=b.mp3&tr=${encodeURIComponent(announce)}&xl=${b.data.length}`;
    const alternate = (uri: string, type: string, length: number) =>
      `<podcast:alternateEnclosure type="audio/mpeg" length="${length}"><podcast:source uri="${uri.replace(/&/g, '&amp;')}" contentType="${type}"/></podcast:alternateEnclosure>`;
    host.set('/feed.xml', {
      etag: true,
      type: 'application/rss+xml',
      body: rssFeed('Swarm Show', [
        {
          title: 'Torrent First',
          guid: 'a',
          enclosure: {
            url: `${host.url}/a.torrent`,
            type: 'application/x-bittorrent',
            length: a.torrent.length,
          },
        },
        {
          title: 'Magnet Beside HTTP',
          guid: 'b',
          enclosure: { url: `${host.url}/b.mp3`, type: 'audio/mpeg', length: b.data.length },
          extra: alternate(magnetB, 'application/x-bittorrent', b.data.length),
        },
        {
          title: 'Nobody Seeds',
          guid: 'c',
          enclosure: { url: `${host.url}/c.mp3`, type: 'audio/mpeg', length: c.data.length },
          extra: alternate(`${host.url}/c.torrent`, 'application/x-bittorrent', c.data.length),
        },
      ]),
    });

    assert.equal((await runCli(['subscribe', `${host.url}/feed.xml`, '--recent', '5'], { env })).code, 0);
    const first = await runCli(
      ['sync', '--once', '--swarm-timeout', '8', '--port', String(await freePort())],
      { env },
    );
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /Nobody Seeds: swarm failed .*falling back to HTTP/);

    const entries = JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[];
    const byTitle = new Map(entries.map((e) => [e.title, e]));
    for (const [title, e, via] of [
      ['Torrent First', a, 'swarm'],
      ['Magnet Beside HTTP', b, 'swarm'],
      ['Nobody Seeds', c, 'http'],
    ] as const) {
      const entry = byTitle.get(title);
      assert.ok(entry?.complete, `${title} is complete`);
      assert.equal(entry.via, via, title);
      assert.ok(readFileSync(entry.path!).equals(e.data), `${title} is intact`);
    }
    assert.equal(host.log.filter((r) => r.path === '/b.mp3').length, 0, 'the swarm was preferred to HTTP');

    const fetched = host.log.length;
    const second = await runCli(['sync', '--once', '--port', String(await freePort())], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      host.log.slice(fetched).map((r) => [r.path, r.status]),
      [['/feed.xml', 304]],
      'the second run fetches nothing',
    );

    // The original seeders leave; the aggregator, restarted, is the only source.
    for (const s of seeders) await s.stop('SIGKILL');
    const port = await freePort();
    const syncing = startCli(t, ['sync', '--port', String(port), '--seed-ratio', '10'], { env });
    await syncing.waitFor(/seeding Torrent First/);
    await syncing.waitFor(/seeding Magnet Beside HTTP/);
    for (const e of [a, b]) {
      const out = join(dir, `lt-${e.name}`);
      const result = JSON.parse(
        run(LIBTORRENT_PYTHON, [LT_TOOL, 'download', e.torrentPath, out, `127.0.0.1:${port}`]),
      ) as {
        have: number;
        total: number;
      };
      assert.equal(result.have, result.total, `libtorrent got every piece of ${e.name}`);
      assert.ok(readFileSync(join(out, e.name)).equals(e.data), `${e.name} from the aggregator is intact`);
    }
    assert.equal(await syncing.stop('SIGTERM'), 0);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as {
      downloads: { title: string; seeding?: { uploaded: number } }[];
    };
    const uploaded = state.downloads.find((d) => d.title === 'Torrent First')?.seeding?.uploaded ?? 0;
    assert.ok(uploaded >= a.data.length, `the upload was counted (${uploaded})`);
  });
});
