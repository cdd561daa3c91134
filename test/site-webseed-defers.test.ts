/**
 * The web seed is the site's fallback: while a client's address is connected to the site's peer
 * for an item, its bounded `Range` requests (what BEP 19 clients send for pieces) get 503 with
 * `Retry-After` and the FILE_USE_SWARM code, so it takes pieces over BitTorrent, where the site's
 * peer gives out only what the swarm lacks. Whole files and open ranges (browsers, players) are
 * always served, and once the peer connection is gone the same ranges are served again. Real site
 * services on SQLite, a real TCP peer connection to the site's engine.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { PeerConnection } from '../src/wire/index.js';
import { tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

const CLIP = randomBytes(300_000);

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("a client connected to the site's peer is sent to the swarm for pieces, not to the web seed", {
  timeout: 60_000,
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
  const url = `/items/${item.id}/files/clip.webm`;
  // app.inject() comes from 127.0.0.1, like the peer connection below.
  const get = (range?: string) => s.app.inject({ url, headers: range ? { range } : {} });

  const before = await get('bytes=0-16383');
  assert.equal(before.statusCode, 206, 'no peer connected: the web seed serves the range');
  assert.ok(before.rawPayload.equals(CLIP.subarray(0, 16384)));

  const socket = connect(s.site.seeding.peerPort(), '127.0.0.1');
  const conn = new PeerConnection(socket, {
    peerId: Buffer.from('-TEST01-000000000000'),
    infoHash: Buffer.from(item.infoHash, 'hex'),
  });
  t.after(() => conn.destroy());
  socket.once('connect', () => conn.start());
  await until(() => s.site.seeding.hasPeerAt(item.id, '127.0.0.1'), "the site's peer to see the connection");

  const deferred = await get('bytes=16384-32767');
  assert.equal(deferred.statusCode, 503, deferred.body);
  assert.equal(deferred.headers['retry-after'], '30');
  assert.equal(deferred.json().error.code, 'FILE_USE_SWARM');
  assert.equal(s.site.seeding.hasPeerAt(item.id, '192.0.2.7'), false, 'other addresses are not affected');

  const open = await get('bytes=1000-');
  assert.equal(open.statusCode, 206, 'an open range (a player seeking) is served');
  assert.ok(open.rawPayload.equals(CLIP.subarray(1000)));
  const whole = await get();
  assert.equal(whole.statusCode, 200, 'the whole file is served');
  assert.ok(whole.rawPayload.equals(CLIP));

  conn.destroy();
  await until(() => !s.site.seeding.hasPeerAt(item.id, '127.0.0.1'), 'the peer connection to close');
  const after = await get('bytes=16384-32767');
  assert.equal(after.statusCode, 206, 'without the peer connection the range is served again');
  assert.ok(after.rawPayload.equals(CLIP.subarray(16384, 32768)));
});
