/**
 * The web seed defers a client to the swarm only while the site's peer is actually serving it, and
 * never refuses one it is not serving, even when both share an address (a NAT; here loopback).
 * Real site services on SQLite, real TCP peer connections to the site's engine (the scripted peer of
 * `helpers/fake-peer.ts`): one that connects and asks for nothing (like a magnet client that never
 * gets the metadata) is not served after the short grace, so its address gets 206; one the site's
 * peer unchokes and sends blocks to is served, so its address gets 503 with `Retry-After`; both at
 * once: 206 (the unserved one may be the one asking).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { DEFERRAL_DEFAULTS } from '../src/distribution/web-seed-deferral.js';
import { type PeerMessage, pieceGeometry } from '../src/wire/index.js';
import { connectFakePeer, type FakePeer } from './helpers/fake-peer.js';
import { tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

const CLIP = randomBytes(2_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Makes the site's peer serve `peer`: interested, then a block of a piece it offers (super-seeding or not). */
async function takeABlock(peer: FakePeer, pieceLength: number): Promise<void> {
  const offer = await peer.waitFor((m) => m.type === 'have' || m.type === 'haveAll' || m.type === 'bitfield');
  const index = offer.type === 'have' ? offer.index : 0;
  peer.conn.send({ type: 'interested' });
  await peer.waitFor((m) => m.type === 'unchoke');
  const begin = Math.floor(Math.random() * (pieceLength / 16384)) * 16384;
  peer.conn.send({ type: 'request', index, begin, length: 16384 });
  const got = (m: PeerMessage) => m.type === 'piece' && m.index === index && m.begin === begin;
  await peer.waitFor(got);
  peer.received.splice(0, peer.received.length, ...peer.received.filter((m) => !got(m)));
}

test("the web seed serves a client the site's peer is not serving and defers one it serves", {
  timeout: 90_000,
}, async (t) => {
  const db = await openDatabase({ sqlite: join(tempDir(t), 'site.sqlite') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
  });
  const auth = await login(s.app);
  const body = multipart([
    { name: 'title', value: 'Clip' },
    { name: 'license', value: 'CC0-1.0' },
    { name: 'file', filename: 'clip.webm', value: CLIP, type: 'video/webm' },
  ]);
  const published = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
  assert.equal(published.statusCode, 201, published.body);
  const item = published.json();
  const info = await s.app.inject({ url: `/items/${item.id}.torrent` });
  const { parseTorrent } = await import('../src/torrent/index.js');
  const meta = parseTorrent(info.rawPayload);
  const url = `/items/${item.id}/files/clip.webm`;
  // app.inject() comes from 127.0.0.1, like the peer connections below.
  const range = (from: number) => s.app.inject({ url, headers: { range: `bytes=${from}-${from + 16383}` } });
  const port = s.site.seeding.peerPort();

  // A client that connects and asks for nothing (no metadata yet, no interest).
  const idle = await connectFakePeer(port, item.infoHash);
  t.after(() => idle.close());
  await until(() => s.site.seeding.hasPeerAt(item.id, '127.0.0.1'), "the site's peer to see the connection");
  // Every peer at the address is served (this one is new: the site's peer is starting on it), so the
  // web seed defers, except one request per address now and then for clients it cannot see.
  const trickle = await range(0);
  assert.equal(trickle.statusCode, 206, 'the trickle');
  const early = await range(0);
  assert.equal(early.statusCode, 503, 'just connected: the site peer is starting on it (grace)');
  await sleep(DEFERRAL_DEFAULTS.graceMs + 200);
  const unserved = await range(16384);
  assert.equal(
    unserved.statusCode,
    206,
    "connected but not served by the site's peer: the web seed serves it",
  );
  assert.ok(unserved.rawPayload.equals(CLIP.subarray(16384, 32768)));

  // A client the site's peer serves, at the same address: the idle one may still be the one asking.
  const busy = await connectFakePeer(port, item.infoHash);
  t.after(() => busy.close());
  busy.conn.setGeometry(pieceGeometry(meta.length, meta.pieceLength));
  await takeABlock(busy, meta.pieceLength);
  const shared = await range(32768);
  assert.equal(shared.statusCode, 206, 'one served and one unserved client share the address');

  // Once the idle client is gone, everyone at the address is served: deferred to the swarm.
  idle.close();
  await idle.closed;
  await sleep(500);
  await takeABlock(busy, meta.pieceLength);
  let deferred = await range(49152);
  if (deferred.statusCode === 206) deferred = await range(49152); // the trickle came round again (slow machine)
  assert.equal(deferred.statusCode, 503, deferred.body);
  assert.equal(deferred.headers['retry-after'], String(DEFERRAL_DEFAULTS.retryAfter));
  assert.equal(deferred.json().error.code, 'FILE_USE_SWARM');
  // None of the file's headers: aria2c reads a 503's body by its Content-Range and waited 60 s for it.
  for (const header of ['content-range', 'accept-ranges', 'etag', 'content-disposition'])
    assert.equal(deferred.headers[header], undefined, `a refusal has no ${header}`);
  assert.equal(Number(deferred.headers['content-length']), deferred.rawPayload.length);
  const elsewhere = s.site.seeding.admitWebSeed(item.id, '192.0.2.7', { length: 16384, waited: true });
  elsewhere.release();
  assert.equal(elsewhere.serve, true, 'other addresses are not affected');

  const open = await s.app.inject({ url, headers: { range: 'bytes=1000-' } });
  assert.equal(open.statusCode, 206, 'an open range (a player seeking) is always served');
  assert.ok(open.rawPayload.equals(CLIP.subarray(1000)));
  const whole = await s.app.inject({ url });
  assert.equal(whole.statusCode, 200, 'the whole file is served');

  busy.close();
  await until(() => !s.site.seeding.hasPeerAt(item.id, '127.0.0.1'), 'the peer connections to close');
  const after = await range(16384);
  assert.equal(after.statusCode, 206, 'without peer connections the range is served again');
});
