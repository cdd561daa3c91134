/**
 * Issue 22, seeding at site scale, end to end: a site publishes a couple of items, restarts, and
 * seeds them again without reading any content at start (the blob store is wrapped to count reads:
 * only the `.torrent` blobs are read). The site's own tracker lists the site's peer (registered in
 * process, not by announcing to itself), and libtorrent, given the item's torrent without its web
 * seed, downloads the item from the site's peer, byte for byte; each piece it got was hashed by the
 * site as it was first served. With `recheck` the old start reads every byte. Skips loudly without
 * libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { test } from 'node:test';
import { type BDict, decode, encode, isDict } from '../src/bencode/index.js';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import type { BlobStore } from '../src/storage/index.js';
import { parseTorrent } from '../src/torrent/index.js';
import { siteApi } from './helpers/site-api.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, start, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

function counting(inner: BlobStore, counts: { content: number; torrent: number }): BlobStore {
  return {
    ...inner,
    put: (k, b, o) => inner.put(k, b, o),
    head: (k) => inner.head(k),
    delete: (k) => inner.delete(k),
    list: (p) => inner.list(p),
    close: () => inner.close(),
    get: async (key, range) => {
      const source = await inner.get(key, range);
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (key.startsWith('files/')) counts.content += chunk.length;
          else counts.torrent += chunk.length;
          done(null, chunk);
        },
      });
      source.on('error', (err) => tap.destroy(err));
      return source.pipe(tap);
    },
  };
}

test('a restarted site seeds its items without reading their content, and libtorrent downloads one from its peer', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-scale-seeding-');
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
  let site: RunningServer | undefined = await startServer(config, { log: () => {} });
  t.after(() => site?.close());
  const { api, account } = siteApi(base);
  const token = await account('alice', 'correct horse battery');
  const contents = [Buffer.alloc(700_000), Buffer.alloc(1_300_000)];
  for (const [i, c] of contents.entries())
    for (let at = 0; at < c.length; at += 4) c.writeUInt32LE((at * 2654435761 + i) >>> 0, at);
  const items = [];
  for (const [i, c] of contents.entries()) {
    const form = new FormData();
    form.append('title', `Item ${i}`);
    form.append('license', 'CC0-1.0');
    form.append('file', new Blob([c]), `item-${i}.bin`);
    items.push(
      await api('/api/v1/items', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      }),
    );
  }
  const torrent = Buffer.from(await (await fetch(`${base}/items/${items[1].id}.torrent`)).arrayBuffer());
  await site.close();
  site = undefined;

  // The restart: nothing of the content is read; the two .torrent blobs are.
  const counts = { content: 0, torrent: 0 };
  site = await startServer(config, { log: () => {}, wrapBlobs: (b) => counting(b, counts) });
  assert.equal(site.site.seeding.seededIds().length, 2, 'both items seeded again');
  assert.equal(counts.content, 0, 'no content read at start');
  assert.ok(counts.torrent > 0, 'the .torrent blobs (metadata) were read');

  // The site's tracker lists the site's peer (registered in process).
  const meta = parseTorrent(torrent);
  const hash = Buffer.from(meta.infoHash, 'hex');
  const query = `info_hash=${[...hash].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`;
  const announce = Buffer.from(
    await (
      await fetch(
        `${base}/announce?${query}&peer_id=-XX0000-000000000000&port=9&uploaded=0&downloaded=0&left=1&compact=1`,
      )
    ).arrayBuffer(),
  );
  const answer = decode(announce) as BDict;
  assert.ok(isDict(answer) && Buffer.isBuffer(answer.get('peers')), `tracker answer: ${announce.toString()}`);
  const peers = answer.get('peers') as Buffer;
  const listed = [];
  for (let at = 0; at + 6 <= peers.length; at += 6)
    listed.push(`${[...peers.subarray(at, at + 4)].join('.')}:${peers.readUInt16BE(at + 4)}`);
  assert.ok(
    listed.includes(`127.0.0.1:${config.peerPort}`),
    `the site's peer is listed: ${listed.join(', ')}`,
  );

  // libtorrent downloads the item from the site's peer (the web seed taken out of the torrent).
  const dict = decode(torrent) as BDict;
  dict.delete('url-list');
  const torrentPath = join(dir, 'peer-only.torrent');
  writeFileSync(torrentPath, encode(dict));
  const out = join(dir, 'lt');
  const lt = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'download', torrentPath, out]);
  await lt.waitFor(/"state"/, 120_000);
  assert.ok(readFileSync(join(out, 'item-1.bin')).equals(contents[1]!), 'byte-exact copy');
  const traffic = site.site.seeding.trafficOf(items[1].id);
  assert.ok(traffic.tcp >= contents[1]!.length, `the site's peer sent it (${traffic.tcp} bytes)`);
  assert.ok(counts.content >= contents[1]!.length, 'pieces were read (and hashed) only once served');

  // The old start, with recheck: every byte read again.
  await site.close();
  const rechecked = { content: 0, torrent: 0 };
  site = await startServer(
    { ...config, recheck: true },
    { log: () => {}, wrapBlobs: (b) => counting(b, rechecked) },
  );
  assert.equal(rechecked.content, contents[0]!.length + contents[1]!.length);
});
