/**
 * The site's own seeding peer is registered in the site's tracker in process
 * (`distribution/seeding-tracker.ts`), never by announcing to itself over loopback: with an item
 * published and seeded, the tracker lists the site's peer (a scrape counts it as a seeder), while no
 * HTTP request reached `/announce` and no UDP announce was counted, although the item's torrent
 * names the site's HTTP and UDP trackers and the seeding session would announce to them at once.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BDict, decode, isDict } from '../src/bencode/index.js';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { parseTorrent } from '../src/torrent/index.js';
import { siteApi } from './helpers/site-api.js';
import { freePort, tempDir } from './helpers/tools.js';

test("the site's peer is in its own tracker's swarm without announcing to it over the network", {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-own-peer-');
  const config = {
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: await freePort(),
    data: join(dir, 'data'),
    allowPrivateUrls: true,
    archive: false,
    jobs: readConfig({ jobs: '0' }, {}).jobs,
  };
  const base = `http://127.0.0.1:${config.port}`;
  const site: RunningServer = await startServer(config, { log: () => {} });
  t.after(() => site.close());
  const announced: string[] = [];
  site.app.server.on('request', (req: { url?: string }) => {
    if ((req.url ?? '').startsWith('/announce')) announced.push(req.url!);
  });

  const { api, account } = siteApi(base);
  const token = await account('alice', 'correct horse battery');
  const content = Buffer.alloc(300_000);
  for (let at = 0; at < content.length; at += 4) content.writeUInt32LE((at * 2654435761) >>> 0, at);
  const form = new FormData();
  form.append('title', 'Seeded here');
  form.append('license', 'CC0-1.0');
  form.append('file', new Blob([content]), 'seeded.bin');
  const item = await api('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const torrent = parseTorrent(
    Buffer.from(await (await fetch(`${base}/items/${item.id}.torrent`)).arrayBuffer()),
  );
  const named = torrent.announce.flat();
  assert.ok(
    named.includes(`${base}/announce`) && named.includes(`udp://127.0.0.1:${config.port}`),
    `the torrent names the site's own trackers: ${named.join(', ')}`,
  );

  // The tracker lists the site's peer as a seeder (scrape: no announce of our own).
  const hash = Buffer.from(torrent.infoHash, 'hex');
  const query = [...hash].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  let seeders = 0;
  for (const end = Date.now() + 30_000; seeders < 1 && Date.now() < end; ) {
    const body = Buffer.from(await (await fetch(`${base}/scrape?info_hash=${query}`)).arrayBuffer());
    const files = (decode(body) as BDict).get('files');
    const counts = isDict(files) ? files.get(hash.toString('latin1')) : undefined;
    seeders = isDict(counts) ? Number(counts.get('complete')) : 0;
    if (seeders < 1) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(seeders, 1, "the site's peer is a seeder in its own tracker");
  assert.ok(site.site.seeding.seededIds().includes(item.id), 'the item is seeded');

  // Give a session that would announce over the network time to do it (its first announce is at once).
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(announced, [], 'no HTTP announce reached the site from anyone, itself included');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(
    metrics,
    /seedcast_tracker_announces_total\{transport="udp",event="[a-z]+"\} [1-9]/,
    'no UDP announce either',
  );
  assert.match(
    metrics,
    /seedcast_tracker_announces_total\{transport="http",event="started"\} [1-9]/,
    'the in-process registration is counted as the announce it stands for',
  );
});
