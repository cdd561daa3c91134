/**
 * Torrent-only publishing that tells the truth (issue 16), end to end with real processes:
 * - a publisher (libtorrent, and `seedcast seed`) that starts seeding (and announcing to the site's tracker) BEFORE the
 *   torrent is published is tracked for the grace window (`seedcast_tracker_provisional_announces_total`
 *   counts it; it gets no peers and no `failure reason`), and the site archives the item within a
 *   minute of publishing. Before the grace window the announce got `torrent not tracked here`, and
 *   libtorrent 2.0.8 then waited more than 5 minutes before announcing again (docs/tracker.md), so
 *   the site's archiver found nobody for minutes;
 * - a torrent naming only another tracker (a second `seedcast tracker` on loopback; the site runs with
 *   `--allow-private-urls`), seeded by `seedcast seed` that announces there only, is archived: the
 *   site announces to the torrent's own trackers too. The stored `.torrent` lists the site's tracker
 *   first, then the publisher's, with the same info hash.
 * - the grace window is bounded: an address opens at most 16 provisional hashes (UDP and HTTP alike),
 *   then gets a clean bencoded `failure reason`, as junk does.
 * Skips loudly without libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode, isBytes, isDict } from '../src/bencode/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { account, publishTorrent, waitForItem } from './archive-fixtures.js';
import { freePort, LIBTORRENT_PYTHON, requireTools, start, startCli, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const PIECE = 64 * 1024;
/** 2 MiB that compress badly. */
const CONTENT = Buffer.from(new Uint8Array(32 * PIECE).map((_, i) => (i * 2654435761) >>> 24));

async function serve(t: Parameters<typeof startCli>[0], dir: string, extra: string[] = []) {
  const server = startCli(t, [
    'serve',
    '--port',
    String(await freePort()),
    '--peer-port',
    String(await freePort()),
    '--data',
    join(dir, 'data'),
    ...extra,
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  return base!;
}

/** The content in `dir/src/<name>` and its torrent (made by Seedcast) naming `announce` only. */
async function content(dir: string, name: string, announce: string, version: 'v1' | 'hybrid') {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, name), CONTENT);
  const made = await createTorrent(join(src, name), { version, pieceLength: PIECE, announce: [announce] });
  const torrentPath = join(dir, `${name}.torrent`);
  writeFileSync(torrentPath, made.torrent);
  return { src, torrentPath, torrent: Buffer.from(made.torrent), infoHash: made.infoHash! };
}

async function provisionalAnnounces(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^seedcast_tracker_provisional_announces_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : -1;
}

async function fileBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

for (const publisher of ['libtorrent', 'seedcast seed'] as const) {
  test(`a ${publisher} publisher that announced before publishing is archived within a minute of publishing`, {
    timeout: 180_000,
  }, async (t) => {
    if (publisher === 'libtorrent' && !requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t, 'seedcast-early-announce-');
    const base = await serve(t, dir);
    const token = await account(base, 'publisher');
    const { src, torrentPath, torrent } = await content(dir, 'early.mp4', `${base}/announce`, 'hybrid');

    // The publisher's client first: it announces to the site's tracker, which does not know the hash yet.
    const seeder =
      publisher === 'libtorrent'
        ? start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrentPath, src])
        : startCli(t, ['seed', torrentPath, src, '--port', String(await freePort())]);
    await seeder.waitFor(publisher === 'libtorrent' ? /"port"/ : /seeding/, 60_000);
    const deadline = Date.now() + 60_000;
    while ((await provisionalAnnounces(base)) < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.ok(
      (await provisionalAnnounces(base)) >= 1,
      `${publisher} announced before publishing, tracked provisionally`,
    );

    const publishedAt = Date.now();
    const { status, body: item } = await publishTorrent(base, token, torrent, 'Seeded before publishing');
    assert.equal(status, 201, JSON.stringify(item));
    assert.equal(item.archive.state, 'waiting');
    const archived = await waitForItem(base, item.id, (i) => i.archived, 60_000);
    const took = Date.now() - publishedAt;
    assert.ok(took < 60_000, `archived ${took} ms after publishing`);
    assert.deepEqual(archived.archive, { state: 'archived', phase: 'done', progress: 1 });
    assert.ok((await fileBytes(archived.files[0].url)).equals(CONTENT), 'byte-exact');
    t.diagnostic(`${publisher}: archived ${took} ms after publishing`);
    if (publisher === 'libtorrent') {
      seeder.child.stdin!.end();
      await seeder.exited;
    }
  });
}

test('a torrent naming only another tracker is archived through that tracker; the stored torrent lists the site first', {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-other-tracker-');
  const other = startCli(t, ['tracker', '--port', String(await freePort())]);
  t.after(() => other.stop());
  const [, otherUrl] = await other.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const base = await serve(t, dir, ['--allow-private-urls']);
  const token = await account(base, 'publisher');
  const otherAnnounce = `${otherUrl}/announce`;
  const { src, torrentPath, torrent, infoHash } = await content(dir, 'other.mp4', otherAnnounce, 'v1');

  // `seedcast seed` with the publisher's own torrent announces to the other tracker only.
  const seeder = startCli(t, ['seed', torrentPath, src, '--port', String(await freePort())]);
  await seeder.waitFor(/seeding/, 60_000);
  const { status, body: item } = await publishTorrent(base, token, torrent, 'Elsewhere tracked');
  assert.equal(status, 201, JSON.stringify(item));

  const stored = parseTorrent(Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()));
  assert.equal(stored.infoHash, infoHash, 'the same info hash: only what is outside info changed');
  assert.deepEqual(
    stored.announce,
    [
      [`${base}/announce`],
      [base.replace('http', 'udp')],
      [`${base.replace('http', 'ws')}/announce`],
      [otherAnnounce],
    ],
    "the site's trackers (HTTP, UDP, WebSocket) first",
  );

  const archived = await waitForItem(base, item.id, (i) => i.archived, 120_000);
  assert.ok((await fileBytes(archived.files[0].url)).equals(CONTENT), 'byte-exact');
});

/** The bencoded answer to an HTTP announce as a plain object. */
async function httpAnnounce(base: string, infoHash: Buffer): Promise<Record<string, unknown>> {
  const enc = [...infoHash].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  const res = await fetch(`${base}/announce?info_hash=${enc}&peer_id=-XX0001-000000000000&port=6881&left=0`);
  return bdict(Buffer.from(await res.arrayBuffer()));
}

function bdict(bytes: Buffer): Record<string, unknown> {
  const d = decode(bytes);
  assert.ok(isDict(d), 'a bencoded dictionary');
  return Object.fromEntries(
    [...d.entries()].map(([k, v]) => [k, isBytes(v) ? Buffer.from(v).toString('latin1') : v]),
  );
}

/** One BEP 15 announce over UDP (connect first); resolves to the answer datagram. */
async function udpAnnounce(port: number, infoHash: Buffer): Promise<Buffer> {
  const socket = createSocket('udp4');
  const next = () => new Promise<Buffer>((resolve) => socket.once('message', (m) => resolve(m)));
  try {
    const connect = Buffer.alloc(16);
    connect.writeBigUInt64BE(0x41727101980n, 0);
    connect.writeUInt32BE(7, 12);
    let answer = next();
    socket.send(connect, port, '127.0.0.1');
    const cid = (await answer).subarray(8, 16);
    const announce = Buffer.alloc(98);
    cid.copy(announce, 0);
    announce.writeUInt32BE(1, 8);
    announce.writeUInt32BE(8, 12);
    infoHash.copy(announce, 16);
    Buffer.from('-XX0001-udpudpudpudp').copy(announce, 36);
    announce.writeInt32BE(-1, 92);
    announce.writeUInt16BE(6881, 96);
    answer = next();
    socket.send(announce, port, '127.0.0.1');
    return await answer;
  } finally {
    socket.close();
  }
}

test("the site's grace window is bounded per address over UDP and HTTP; past it, and for junk, a clean failure", {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-grace-bounds-');
  const base = await serve(t, dir);
  const port = Number(new URL(base).port);
  const udp = await udpAnnounce(port, Buffer.alloc(20, 0xa0));
  assert.equal(udp.readUInt32BE(0), 1, 'a UDP announce for an unknown hash is answered');
  assert.deepEqual([udp.readUInt32BE(8), udp.length], [60, 20], 'interval 60 s, no peers');
  for (let i = 1; i < 16; i++) {
    const answer = await httpAnnounce(base, Buffer.alloc(20, 0xa0 + i));
    assert.deepEqual([answer.interval, answer['min interval'], answer.peers], [60, 30, '']);
  }
  const over = await httpAnnounce(base, Buffer.alloc(20, 0xbf));
  assert.match(
    String(over['failure reason']),
    /^tracker: torrent not tracked here: (bf){20} \(grace: address-limit\)$/,
  );
  const overUdp = await udpAnnounce(port, Buffer.alloc(20, 0xbe));
  assert.equal(overUdp.readUInt32BE(0), 3, 'a BEP 15 error over UDP');
  assert.match(overUdp.subarray(8).toString(), /not tracked here/);
  const junk = bdict(Buffer.from(await (await fetch(`${base}/announce?info_hash=abc`)).arrayBuffer()));
  assert.match(String(junk['failure reason']), /info_hash/);
});
