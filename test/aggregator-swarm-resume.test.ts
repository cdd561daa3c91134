/**
 * A kill -9 in the middle of a swarm download, then `sync --once`, completes it: the torrent's only
 * source is a slow BEP 19 web seed on the podcast host; after the kill, the next run re-verifies what is
 * on disk and asks the web seed only for the rest.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type LibraryJson, rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { runCli, startCli, tempDir } from './helpers/tools.js';

interface StateJson {
  downloads: { title: string; status: string; path?: string }[];
}

function requestedBytes(ranges: (string | undefined)[], length: number): number {
  let total = 0;
  for (const r of ranges) {
    const m = /^bytes=(\d+)-(\d*)$/.exec(r ?? '');
    if (!m) total += length;
    else total += (m[2] ? Number(m[2]) : length - 1) - Number(m[1]) + 1;
  }
  return total;
}

describe('aggregator swarm download killed and resumed', () => {
  it('a kill -9 during a web-seeded torrent download, then sync --once, fetches only the rest', async (t) => {
    const host = await startPodcastHost(t);
    const dir = tempDir(t);
    const home = join(dir, 'home');
    const env = { SEEDCAST_HOME: home };
    const data = randomBytes(4 * 1024 * 1024 + 77);
    const file = join(dir, 'show.webm');
    writeFileSync(file, data);
    const torrentPath = join(dir, 'show.torrent');
    const created = await runCli([
      'create',
      file,
      '-o',
      torrentPath,
      '-w',
      `${host.url}/seed/show.webm`,
      '--piece-length',
      '65536',
    ]);
    assert.equal(created.code, 0, created.stderr);
    host.set('/seed/show.webm', { body: data, bytesPerSecond: 512 * 1024 });
    host.set('/show.torrent', { body: readFileSync(torrentPath), type: 'application/x-bittorrent' });
    host.set('/feed.xml', {
      body: rssFeed('Web Seeded', [
        {
          title: 'Only Web Seed',
          guid: 'ws',
          enclosure: { url: `${host.url}/show.torrent`, type: 'application/x-bittorrent', length: 1000 },
        },
      ]),
    });
    assert.equal((await runCli(['subscribe', `${host.url}/feed.xml`], { env })).code, 0);
    const sync = startCli(t, ['sync', '--once', '--port', '0'], { env });
    const target = join(home, 'library', 'Web Seeded', 'Only Web Seed.webm');
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.ok(Date.now() < deadline, `the swarm download did not start:\n${sync.output()}`);
      const state = existsSync(join(home, 'state.json'))
        ? (JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as StateJson)
        : undefined;
      const bytes = host.log.filter((r) => r.path === '/seed/show.webm').length;
      if (state?.downloads[0]?.status === 'downloading' && bytes >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2500)); // let a few pieces reach the disk
    await sync.stop('SIGKILL');
    assert.ok(existsSync(target), 'pieces were written before the kill');
    const killed = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as StateJson;
    assert.equal(killed.downloads[0]!.status, 'downloading', 'the kill came before the end');
    const before = host.log.length;

    host.set('/seed/show.webm', { body: data });
    const again = await runCli(['sync', '--once', '--port', '0'], { env });
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    const [entry] = JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[];
    assert.equal(entry?.complete, true);
    assert.equal(entry.via, 'swarm');
    assert.equal(entry.path, target);
    assert.ok(readFileSync(target).equals(data), 'the resumed file is intact');
    const second = host.log.slice(before).filter((r) => r.path === '/seed/show.webm');
    const asked = requestedBytes(
      second.map((r) => r.range),
      data.length,
    );
    assert.ok(second.length > 0, 'the second run fetched the rest');
    assert.ok(asked < data.length, `the second run asked for ${asked} bytes, less than the ${data.length}`);
  });
});
