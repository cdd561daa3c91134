/**
 * gPodder gets the MP3 a WAV became (issue 18): Debian's `gpo` subscribes to the channel feed of a
 * site where a WAV was published and processed, updates and downloads, and gets the MP3 derivative,
 * byte for byte (ffprobe reads an mp3 stream), not the WAV and not a `.torrent`.
 * Skips loudly without gpo or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { wavSite } from './feeds-derivatives-fixtures.js';
import { requireTools, run, start, tempDir } from './helpers/tools.js';

test('gpo subscribes to a channel with a WAV upload and downloads its MP3 derivative', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'gpo', 'ffmpeg', 'ffprobe')) return;
  const site = await wavSite(t);
  const mp3 = Buffer.from(await (await fetch(site.mp3.url)).arrayBuffer());
  const home = tempDir(t, 'seedcast-gpo-');
  const downloads = join(home, 'downloads');
  const env = { ...process.env, GPODDER_HOME: home, GPODDER_DOWNLOAD_DIR: downloads };
  // gpo runs beside the site's event loop (this process serves the feed and the files).
  const gpo = async (...args: string[]) => {
    const child = start(t, 'gpo', args, { env });
    const code = await child.exited;
    assert.equal(code, 0, `gpo ${args[0]}:\n${child.output()}`);
  };
  await gpo('subscribe', `${site.server.url}/channels/${site.channel}/feed.rss`);
  await gpo('update');
  await gpo('download');
  const files = readdirSync(downloads, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  t.diagnostic(`gpo downloaded ${files.map((f) => f.slice(downloads.length)).join(', ')}`);
  assert.equal(files.length, 1, 'one episode downloaded');
  const got = readFileSync(files[0]!);
  assert.ok(got.equals(mp3), 'the download is the MP3 derivative, byte for byte');
  const probe = JSON.parse(
    run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', files[0]!]),
  );
  assert.equal(probe.streams[0].codec_name, 'mp3');
});
