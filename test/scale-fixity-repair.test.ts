/**
 * Fixity that repairs itself (issue 22, slice 3), end to end: a site publishes an item; libtorrent
 * downloads it; bytes of the stored blob are flipped on disk; the `fixity.check` job finds exactly
 * the damaged pieces, which `/metrics` and the admin page report; the site's seeding session fetches
 * them from the libtorrent peer (found through the site's tracker), verified by hash, and writes them
 * back; the blob's SHA-256 is whole again. Throughout, the item's file URL answers: ranges over
 * intact pieces with the right bytes, ranges over damaged pieces with 503 and `Retry-After` (never
 * bad bytes), and the whole file once repaired.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import type { LocalDiskStore } from '../src/storage/index.js';
import { parseTorrent } from '../src/torrent/index.js';
import { publish, tokenFor } from './helpers/derivatives.js';
import { adminPage, flipBytes, LT_TOOL, metric, metricsOf, sha256 } from './helpers/fixity.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, start, tempDir } from './helpers/tools.js';
import { until as poll } from './helpers/until.js';

const until = <T>(what: string, probe: () => Promise<T | undefined>) =>
  poll(what, probe, { timeoutMs: 90_000, intervalMs: 250, defined: true });

test('flipped bytes in a stored blob are found, reported and repaired from a libtorrent peer', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t, 'seedcast-scale-fixity-');
  const content = randomBytes(3 * 1024 * 1024 + 12_345);
  const source = join(dir, 'show.bin');
  writeFileSync(source, content);
  const data = join(dir, 'site');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data,
    allowPrivateUrls: true,
  });
  t.after(() => server.close());
  const token = await tokenFor(server);
  const { id } = await publish(server, token, source, 'show.bin');
  assert.equal(server.site.seeding.isSeeding(id), true);
  const item = (await server.site.items.get(id))!;
  const key = item.files[0]!.blobKey!;
  const fileUrl = `${server.url}/items/${id}/files/show.bin`;
  const torrentPath = join(dir, 'show.torrent');
  writeFileSync(
    torrentPath,
    Buffer.from(await (await fetch(`${server.url}/items/${id}.torrent`)).arrayBuffer()),
  );
  const meta = parseTorrent(readFileSync(torrentPath));
  const P = meta.pieceLength;
  assert.ok(meta.pieceCount >= 6, `${meta.pieceCount} pieces of ${P} bytes`);

  // libtorrent gets its copy from the site (then stops for now).
  const ltDir = join(dir, 'lt');
  mkdirSync(ltDir);
  const got = start(
    t,
    LIBTORRENT_PYTHON,
    [LT_TOOL, 'download', torrentPath, ltDir, `127.0.0.1:${server.peerPort}`],
    {
      env: { LT_TIMEOUT: '90' },
    },
  );
  assert.equal(await got.exited, 0, got.output());
  const downloaded = JSON.parse(got.output().trim().split('\n').pop()!);
  assert.equal(downloaded.have, downloaded.total, got.output());
  assert.equal(sha256(readFileSync(join(ltDir, 'show.bin'))), sha256(content));

  // Rot: bytes flipped in the stored blob, in pieces 1, 4 and the last.
  const blobPath = (server.site.blobs as LocalDiskStore).pathOf(key);
  const last = meta.pieceCount - 1;
  flipBytes(blobPath, content, [P + 17, 4 * P + 1000, 4 * P + 1001, last * P + 3]);
  assert.notEqual(sha256(readFileSync(blobPath)), sha256(content));

  // The fixity job finds exactly those pieces; the repair starts (no peer to fetch from yet).
  const job = await server.site.jobs!.enqueue({ kind: 'fixity.check', itemId: id });
  await until('the fixity job', async () => {
    const j = await server.site.jobs!.get(job.id);
    if (j?.state === 'failed') throw new Error(`fixity job failed: ${j.error}`);
    return j?.state === 'done' ? j : undefined;
  });
  const metrics = await metricsOf(server);
  assert.equal(metric(metrics, 'seedcast_fixity_damaged_pieces'), 3, metrics);
  assert.equal(metric(metrics, 'seedcast_fixity_damaged_items'), 1);
  assert.equal(metric(metrics, 'seedcast_fixity_files_verified_total'), 1);
  assert.ok((metric(metrics, 'seedcast_fixity_bytes_verified_total') ?? 0) >= content.length);
  assert.equal(metric(metrics, 'seedcast_fixity_pieces_repaired_total'), 0);
  const during = await adminPage(server);
  assert.match(during, new RegExp(`<tr data-item-id="${id}" data-state="(damaged|repairing)"`), during);
  assert.match(during, new RegExp(`<td class="fixity-pieces">1, 4, ${last}</td>`));

  // The item keeps answering meanwhile: intact ranges with good bytes, damaged ones never.
  const range = (from: number, to: number) => fetch(fileUrl, { headers: { range: `bytes=${from}-${to}` } });
  const good = await range(2 * P, 3 * P + 99);
  assert.equal(good.status, 206);
  assert.equal(sha256(Buffer.from(await good.arrayBuffer())), sha256(content.subarray(2 * P, 3 * P + 100)));
  const bad = await range(4 * P, 4 * P + 16_383);
  assert.equal(bad.status, 503);
  assert.equal(bad.headers.get('retry-after'), '60');
  assert.equal((await fetch(fileUrl)).status, 503, 'the whole file covers damaged pieces');

  // libtorrent seeds its copy; the site's tracker puts the two peers together and the pieces come back.
  const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrentPath, ltDir]);
  await seeder.waitFor(/"port"/);
  const after = await until('the repair', async () => {
    const text = await metricsOf(server);
    return metric(text, 'seedcast_fixity_pieces_repaired_total') === 3 ? text : undefined;
  });
  assert.equal(metric(after, 'seedcast_fixity_damaged_pieces'), 0, after);
  assert.equal(sha256(readFileSync(blobPath)), sha256(content), 'the blob is whole again');
  const whole = await fetch(fileUrl);
  assert.equal(whole.status, 200);
  assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), sha256(content));
  const repaired = await range(4 * P, 4 * P + 16_383);
  assert.equal(repaired.status, 206);
  assert.deepEqual(Buffer.from(await repaired.arrayBuffer()), content.subarray(4 * P, 4 * P + 16_384));
  assert.match(await adminPage(server), new RegExp(`<tr data-item-id="${id}" data-state="repaired"`));
  assert.deepEqual(server.site.seeding.damaged(id), []);
  // The pieces came from libtorrent: it uploaded the three damaged pieces (and not the item).
  seeder.child.stdin!.end();
  const [line] = await seeder.waitFor(/\{"uploaded": \d+\}/, 15_000);
  const { uploaded } = JSON.parse(line) as { uploaded: number };
  const lastLength = content.length - last * P;
  t.diagnostic(
    `${meta.pieceCount} pieces of ${P} bytes; libtorrent uploaded ${uploaded} bytes for the repair`,
  );
  assert.ok(uploaded >= 2 * P + lastLength, `libtorrent uploaded ${uploaded} bytes`);
  assert.ok(uploaded < content.length / 2, `libtorrent uploaded ${uploaded} bytes`);
});
