/**
 * Damage found while serving reaches the fixity repair (issue 22, slices 2 and 3), end to end: a
 * site publishes an item and restarts, seeding it on trust (nothing read at start); bytes of the
 * stored blob are flipped on disk while it runs; a libtorrent peer asks the site's peer for the
 * item, the site hashes each piece as it first serves it and refuses the damaged one (BEP 6).
 * No fixity pass runs (its scheduler is held off): the findings are recorded as a pass's would be,
 * shown on the admin page, in `/metrics` and the item API, and repaired from a second libtorrent
 * peer holding a good copy (found through the site's tracker). The blob's SHA-256 is whole again and
 * the downloader finishes byte for byte. The item's file URL answers throughout (intact ranges with
 * the right bytes, damaged ranges 503). Skips loudly without libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BDict, decode, encode } from '../src/bencode/index.js';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import type { LocalDiskStore } from '../src/storage/index.js';
import { parseTorrent } from '../src/torrent/index.js';
import { publish, tokenFor } from './helpers/derivatives.js';
import { adminPage, fileSha256, flipBytes, LT_TOOL, metric, metricsOf, sha256 } from './helpers/fixity.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, start, tempDir } from './helpers/tools.js';
import { until } from './helpers/until.js';

test('pieces a trusted site finds damaged as it serves libtorrent are recorded and repaired from the swarm', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-scale-fixity-serving-');
  const content = randomBytes(3 * 1024 * 1024 + 54_321);
  const source = join(dir, 'show.bin');
  writeFileSync(source, content);
  // Fixity on, its scheduler held off: no pass runs in this test, the damage is found by serving.
  const config = {
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: await freePort(),
    data: join(dir, 'site'),
    allowPrivateUrls: true,
    archive: false,
    fixity: { ...readConfig({}, {}).fixity, enabled: true },
  };
  const extras = { log: () => {}, fixity: { tickMs: 3_600_000, firstTickMs: 3_600_000 } };
  let server: RunningServer = await startServer(config, extras);
  t.after(() => server.close());
  const { id } = await publish(server, await tokenFor(server), source, 'show.bin');
  // The torrent without its web seed: libtorrent gets every piece from peers.
  const dict = decode(
    Buffer.from(await (await fetch(`${server.url}/items/${id}.torrent`)).arrayBuffer()),
  ) as BDict;
  dict.delete('url-list');
  const torrentPath = join(dir, 'peer-only.torrent');
  writeFileSync(torrentPath, encode(dict));
  const meta = parseTorrent(readFileSync(torrentPath));
  const P = meta.pieceLength;
  assert.ok(meta.pieceCount >= 6, `${meta.pieceCount} pieces of ${P} bytes`);

  // The restart: seeded on trust, nothing of the content read.
  await server.close();
  server = await startServer(config, extras);
  assert.equal(server.site.seeding.isSeeding(id), true);
  const item = (await server.site.items.get(id))!;
  assert.equal(server.site.seeding.trusts(item), true);
  const blobPath = (server.site.blobs as LocalDiskStore).pathOf(item.files[0]!.blobKey!);

  // Rot while the site runs, in one piece. (One: the site super-seeds, and once a piece is found
  // damaged it is no longer complete, so a peer it super-seeded learns of no further pieces from it.)
  flipBytes(blobPath, content, [2 * P + 5, 2 * P + 6]);
  assert.notEqual(fileSha256(blobPath), sha256(content));

  // libtorrent asks the site's peer for the item: the site hashes each piece as it serves it.
  const downloadDir = join(dir, 'downloader');
  const downloader = start(
    t,
    LIBTORRENT_PYTHON,
    [LT_TOOL, 'download', torrentPath, downloadDir, `127.0.0.1:${server.peerPort}`],
    { env: { LT_TIMEOUT: '150' } },
  );
  const found = await until(
    'the damage found while serving',
    async () => {
      const text = await metricsOf(server);
      return metric(text, 'seedcast_fixity_damaged_pieces') === 1 ? text : undefined;
    },
    { timeoutMs: 90_000, defined: true },
  );
  assert.equal(metric(found, 'seedcast_fixity_damaged_items'), 1, found);
  assert.equal(metric(found, 'seedcast_fixity_passes_total'), 0, 'found by serving, not by a pass');
  const record = await server.site.fixity!.view();
  assert.deepEqual(
    record.items.map((r) => [r.itemId, r.damaged, r.verifiedAt]),
    [[id, [2], null]],
  );
  assert.match(
    await adminPage(server),
    new RegExp(
      `<tr data-item-id="${id}" data-state="(damaged|repairing)"[^]*?<td class="fixity-pieces">2</td>`,
    ),
  );
  const api = (await (await fetch(`${server.url}/api/v1/items/${id}`)).json()) as {
    damaged?: { pieces: number };
  };
  assert.equal(api.damaged?.pieces, 1, 'the item API counts it');

  // The item keeps answering: intact ranges with good bytes, damaged ones never.
  const fileUrl = `${server.url}/items/${id}/files/show.bin`;
  const range = (from: number, to: number) => fetch(fileUrl, { headers: { range: `bytes=${from}-${to}` } });
  const good = await range(3 * P, 4 * P + 99);
  assert.equal(good.status, 206);
  assert.equal(sha256(Buffer.from(await good.arrayBuffer())), sha256(content.subarray(3 * P, 4 * P + 100)));
  assert.equal((await range(2 * P, 2 * P + 99)).status, 503, 'a damaged range is refused');

  // A second libtorrent peer with a good copy; the site's tracker puts it in touch and the pieces come back.
  const seedDir = join(dir, 'seeder');
  mkdirSync(seedDir);
  writeFileSync(join(seedDir, 'show.bin'), content);
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrentPath, seedDir]);
  await seeder.waitFor(/"port"/);
  const after = await until(
    'the repair',
    async () => {
      const text = await metricsOf(server);
      return metric(text, 'seedcast_fixity_pieces_repaired_total') === 1 ? text : undefined;
    },
    { timeoutMs: 120_000, defined: true },
  );
  assert.equal(metric(after, 'seedcast_fixity_damaged_pieces'), 0, after);
  assert.equal(fileSha256(blobPath), sha256(content), 'the blob is whole again');
  assert.match(await adminPage(server), new RegExp(`<tr data-item-id="${id}" data-state="repaired"`));
  assert.deepEqual(server.site.seeding.damaged(id), []);
  const repaired = await range(2 * P, 2 * P + 99);
  assert.equal(repaired.status, 206);
  assert.deepEqual(Buffer.from(await repaired.arrayBuffer()), content.subarray(2 * P, 2 * P + 100));

  // The downloader got the whole item (from the site and the seeder), byte for byte.
  assert.equal(await downloader.exited, 0, downloader.output());
  const done = JSON.parse(downloader.output().trim().split('\n').pop()!) as { have: number; total: number };
  assert.equal(done.have, done.total, downloader.output());
  assert.equal(fileSha256(join(downloadDir, 'show.bin')), sha256(content));
});
