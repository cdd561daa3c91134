/**
 * HTTP as the fallback when nobody seeds an item's torrent: the file fetched over HTTP is held to the
 * torrent's piece hashes. A matching file is kept and seeded (the aggregator joins the swarm with it);
 * a file that differs from the torrent (same length, other bytes) is refused and deleted.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type LibraryJson, rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { runCli, tempDir } from './helpers/tools.js';

describe('aggregator HTTP fallback checked against the torrent', () => {
  it('keeps and seeds a file that matches the torrent, refuses one that does not', async (t) => {
    const host = await startPodcastHost(t);
    const dir = tempDir(t);
    const home = join(dir, 'home');
    const env = { SEEDCAST_HOME: home };
    const alternate = (uri: string, length: number) =>
      `<podcast:alternateEnclosure type="audio/mpeg" length="${length}"><podcast:source uri="${uri}" contentType="application/x-bittorrent"/></podcast:alternateEnclosure>`;
    const items = [];
    for (const name of ['good', 'forged']) {
      const data = randomBytes(300_000);
      writeFileSync(join(dir, `${name}.mp3`), data);
      const torrent = join(dir, `${name}.torrent`);
      const r = await runCli(['create', join(dir, `${name}.mp3`), '-o', torrent, '--piece-length', '32768']);
      assert.equal(r.code, 0, r.stderr);
      host.set(`/${name}.torrent`, { body: readFileSync(torrent), type: 'application/x-bittorrent' });
      host.set(`/${name}.mp3`, {
        body: name === 'good' ? data : randomBytes(data.length),
        type: 'audio/mpeg',
      });
      items.push({
        title: name === 'good' ? 'Good Copy' : 'Forged Copy',
        guid: name,
        enclosure: { url: `${host.url}/${name}.mp3`, type: 'audio/mpeg', length: data.length },
        extra: alternate(`${host.url}/${name}.torrent`, data.length),
      });
    }
    host.set('/feed.xml', { body: rssFeed('Fallback Show', items) });
    assert.equal((await runCli(['subscribe', `${host.url}/feed.xml`], { env })).code, 0);
    const sync = await runCli(['sync', '--once', '--swarm-timeout', '2', '--port', '0'], { env });
    assert.equal(sync.code, 1, `${sync.stdout}\n${sync.stderr}`);
    assert.match(sync.stdout, /Good Copy: swarm failed .*falling back to HTTP/);
    assert.match(sync.stdout, /seeding Good Copy/);
    const refused = sync.stderr.trim().split('\n');
    assert.equal(refused.length, 1, sync.stderr);
    assert.match(refused[0]!, /Forged Copy: .*does not match the torrent's hashes/);

    const entries = JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[];
    assert.deepEqual(
      entries.map((e) => [e.title, e.complete, e.via]),
      [['Good Copy', true, 'http']],
    );
    assert.ok(readFileSync(entries[0]!.path!).equals(readFileSync(join(dir, 'good.mp3'))));
    assert.deepEqual(readdirSync(join(home, 'library', 'Fallback Show')), ['Good Copy.mp3']);
  });
});
