/**
 * Two aggregators on one LAN share an episode through local service discovery (BEP 14), so the site
 * sends it once. In a network namespace whose loopback carries multicast (`helpers/netns.ts`), a
 * plain HTTP server plays the site: its feed offers the episode over HTTP with the `.torrent` as a
 * `podcast:alternateEnclosure`, and the torrent names no tracker and no web seed.
 *
 * Machine A's `sync --once` finds no swarm and falls back to HTTP (the file is checked against the
 * torrent and seeded); then A runs `sync`, seeding. Machine B's `sync --once` gets the episode from A
 * through the swarm, met through LSD alone: the HTTP server served the media file exactly once.
 *
 * Needs root and iproute2: skipped loudly without them, a failure under CI=true.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type LibraryJson, rssFeed } from './aggregator-fixtures.js';
import { cliArgv } from './helpers/cli-entry.js';
import { multicastNamespace, type Namespace } from './helpers/netns.js';
import { LIBTORRENT_PYTHON, runCli, start, tempDir } from './helpers/tools.js';

const SITE = 'http://127.0.0.1:7080';

function seedcast(t: TestContext, ns: Namespace, home: string, args: string[]) {
  return start(t, ...ns.wrap(process.execPath, cliArgv(args)), {
    env: { SEEDCAST_HOME: home, SEEDCAST_DEBUG: '1', SEEDCAST_LSD: '', SEEDCAST_DHT: '0' }, // LSD only
  });
}

async function finish(run: ReturnType<typeof start>): Promise<string> {
  const code = await run.exited;
  assert.equal(code, 0, run.output().slice(-3000));
  return run.output();
}

describe('aggregators on one LAN', { timeout: 170_000 }, () => {
  it('the second machine gets the episode from the first through LSD, not from the site', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns) return;
    const dir = tempDir(t, 'seedcast-lan-');
    const www = join(dir, 'www');
    mkdirSync(join(dir, 'src'));
    mkdirSync(www);
    const data = randomBytes(2_500_000);
    writeFileSync(join(dir, 'src', 'episode.mp3'), data);
    writeFileSync(join(www, 'episode.mp3'), data);
    const created = await runCli([
      'create',
      join(dir, 'src', 'episode.mp3'),
      '-o',
      join(www, 'episode.torrent'),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const alternate = `<podcast:alternateEnclosure type="audio/mpeg" length="${data.length}"><podcast:source uri="${SITE}/episode.torrent" contentType="application/x-bittorrent"/></podcast:alternateEnclosure>`;
    writeFileSync(
      join(www, 'feed.xml'),
      rssFeed('LAN Show', [
        {
          title: 'Shared Episode',
          guid: 'e1',
          enclosure: { url: `${SITE}/episode.mp3`, type: 'audio/mpeg', length: data.length },
          extra: alternate,
        },
      ]),
    );
    const site = start(
      t,
      ...ns.wrap(LIBTORRENT_PYTHON, ['-u', '-m', 'http.server', '7080', '--bind', '127.0.0.1']),
      {
        cwd: www,
      },
    );
    await site.waitFor(/Serving HTTP/);
    const mediaRequests = () => site.output().match(/"GET \/episode\.mp3 /g)?.length ?? 0;

    const homeA = join(dir, 'a');
    const homeB = join(dir, 'b');
    for (const home of [homeA, homeB]) await finish(seedcast(t, ns, home, ['subscribe', `${SITE}/feed.xml`]));

    // A: no peer anywhere yet, so HTTP after the swarm timeout; the file then matches the torrent.
    await finish(seedcast(t, ns, homeA, ['sync', '--once', '--swarm-timeout', '3', '--port', '7021']));
    assert.equal(mediaRequests(), 1, 'A fetched the file from the site');
    const seeding = seedcast(t, ns, homeA, ['sync', '--port', '7021']);
    await seeding.waitFor(/seeding on port 7021/, 30_000); // its torrent re-verified and re-added

    // B: the swarm (A, found through LSD) first; the site's HTTP file only if that fails.
    await finish(seedcast(t, ns, homeB, ['sync', '--once', '--swarm-timeout', '60', '--port', '7022']));
    const listed = await runCli(['library', '--json'], { env: { SEEDCAST_HOME: homeB } });
    const library = JSON.parse(listed.stdout) as LibraryJson[];
    const entry = library.find((e) => e.title === 'Shared Episode');
    assert.ok(entry?.complete, 'B has the episode');
    assert.equal(entry.via, 'swarm', 'B got it through the swarm');
    assert.ok(readFileSync(entry.path!).equals(data), 'byte-exact');
    assert.equal(mediaRequests(), 1, 'the site sent the media file once, to A only');
    assert.match(seeding.output(), /peer 127\.0\.0\.1:\d+ connected/, 'A served B');
    await seeding.stop();
  });
});
