/**
 * Real clients subscribe to a running `seedcast serve`:
 * - gPodder's command line (Debian's `gpo`) subscribes to the site-wide RSS feed, updates and
 *   downloads: it gets the playable media file (byte-exact, an MP3 ffprobe reads), never a `.torrent`;
 *   the site-wide Atom feed and a channel feed subscribe too; the item's series and episode number
 *   (`dcterms:isPartOf`, `itunes:episode`, `podcast:episode`) do not get in its way.
 * - Seedcast's own aggregator subscribes to the BitTorrent-first feed (`?enclosure=torrent`) and
 *   `sync --once` fetches the item through the swarm (the site's tracker, seeding peer and web seed),
 *   byte-exact; a second sync is answered 304 by the site's conditional GET.
 * Skips loudly without gpo or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { LibraryJson } from './aggregator-fixtures.js';
import { siteApi } from './helpers/site-api.js';
import { freePort, requireTools, run, runCli, startCli, tempDir } from './helpers/tools.js';

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): { path: string; data: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((path) => ({ path, data: readFileSync(path) }));
}

async function startSite(t: TestContext, dir: string) {
  const port = await freePort();
  const server = startCli(t, [
    'serve',
    '--port',
    String(port),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 90_000);
  const { api, account } = siteApi(base ?? '');
  const token = await account('radio', 'correct horse');
  return { base: base!, api, token, server };
}

test('gpo and the Seedcast aggregator subscribe to site feeds and get the media', {
  timeout: 600_000,
}, async (t) => {
  if (!requireTools(t, 'gpo', 'ffmpeg', 'ffprobe')) return;
  const dir = tempDir(t, 'seedcast-feeds-clients-');
  const mp3 = join(dir, 'tone.mp3');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=2',
    '-ac',
    '1',
    '-b:a',
    '64k',
    mp3,
  ]);
  const audio = readFileSync(mp3);
  const site = await startSite(t, dir);
  const form = new FormData();
  form.append('title', 'A tone & a "test" episode');
  form.append('description', 'Two seconds of A440.');
  form.append('license', 'CC0-1.0');
  form.append('tags', 'tones');
  // A series and an episode number (issue 20): the feeds gpo reads carry itunes:episode and friends.
  form.append('series', 'Test tones');
  form.append('episode', '1');
  form.append('file', new Blob([audio], { type: 'audio/mpeg' }), 'tone.mp3');
  const item = await site.api('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${site.token}` },
    body: form,
  });

  // The media analysis reads the duration after publishing; the feed then carries it.
  for (let i = 0; i < 120 && (await site.api(`/api/v1/items/${item.id}`)).durationMs == null; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const rss = await (await fetch(`${site.base}/feeds/items.rss`)).text();
  assert.match(rss, /<itunes:duration>2<\/itunes:duration>/);
  assert.match(rss, /<itunes:episode>1<\/itunes:episode>/);
  assert.match(rss, /<dcterms:isPartOf>Test tones<\/dcterms:isPartOf>/);
  assert.match(
    rss,
    /<media:content url="[^"]+\/tone\.mp3" type="audio\/mpeg" fileSize="\d+" medium="audio" duration="2"/,
  );

  await t.test('gpo downloads the playable media file, not a .torrent', () => {
    for (const feed of ['/feeds/items.rss', '/feeds/items.atom', '/feeds/items.rss?tag=tones']) {
      const home = tempDir(t, 'seedcast-gpo-');
      const downloads = join(home, 'downloads');
      const env = { ...process.env, GPODDER_HOME: home, GPODDER_DOWNLOAD_DIR: downloads };
      const gpo = (...args: string[]) => run('gpo', args, { env } as never);
      gpo('subscribe', `${site.base}${feed}`);
      gpo('update');
      gpo('download');
      const files = filesUnder(downloads);
      t.diagnostic(
        `${feed}: gpo downloaded ${files.map((f) => `${f.path.slice(downloads.length)} (${f.data.length} B)`).join(', ')}`,
      );
      assert.equal(files.length, 1, `${feed}: one episode downloaded`);
      const [got] = files;
      assert.ok(got!.data.equals(audio), `${feed}: the download is the published MP3, byte for byte`);
      assert.ok(
        !got!.path.endsWith('.torrent') && got!.data.subarray(0, 1).toString() !== 'd',
        'not a torrent',
      );
      const probe = JSON.parse(
        run('ffprobe', [
          '-v',
          'error',
          '-show_entries',
          'stream=codec_name:format=duration',
          '-of',
          'json',
          got!.path,
        ]),
      );
      assert.equal(probe.streams[0].codec_name, 'mp3', 'a playable MP3');
      assert.ok(
        Math.abs(Number(probe.format.duration) - 2) < 0.2,
        `plays for 2 s (${probe.format.duration})`,
      );
    }
  });

  await t.test('the aggregator fetches the item through the swarm from the torrent-first feed', async () => {
    const home = tempDir(t, 'seedcast-agg-');
    const env = { SEEDCAST_HOME: home };
    const feed = `${site.base}/feeds/items.rss?enclosure=torrent`;
    const sub = await runCli(['subscribe', feed], { env });
    assert.equal(sub.code, 0, sub.stderr);
    const sync = await runCli(['sync', '--once', '--port', String(await freePort())], { env });
    assert.equal(sync.code, 0, `${sync.stdout}\n${sync.stderr}`);
    const entries = JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[];
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const entry = entries[0]!;
    assert.equal(entry.feed, feed);
    assert.equal(entry.title, 'A tone & a "test" episode');
    assert.ok(entry.complete, JSON.stringify(entry));
    assert.equal(entry.via, 'swarm');
    assert.equal(entry.infoHash, item.infoHash);
    assert.ok(readFileSync(entry.path!).equals(audio), 'byte-exact through the swarm');
    assert.equal(statSync(entry.path!).size, audio.length);
    const swarm = (await site.api(`/api/v1/items/${item.id}`)).swarm;
    t.diagnostic(`site served: ${JSON.stringify(swarm.served)}`);
    assert.ok(swarm.served.total >= audio.length, 'the site (peer or web seed) served the bytes');

    const again = await runCli(['sync', '--once', '--port', String(await freePort())], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      (JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[]).length,
      1,
    );
    const last = await fetch(feed);
    const cond = await fetch(feed, { headers: { 'if-none-match': String(last.headers.get('etag')) } });
    assert.equal(cond.status, 304);
  });
});
