/**
 * The site is a hybrid peer: a Node WebRTC peer (`@roamhq/wrtc`) downloads a published item from
 * the site's seeding peer alone over one data channel, signalled through the site's `WsLocalPeer`
 * (what the WebSocket tracker calls), with no web seed, tracker or TCP peer in play; the site counts
 * the bytes as WebRTC traffic of the item (`Seeding.trafficOf`), apart from TCP.
 * Skips loudly when @roamhq/wrtc is not installed (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { Engine, WebRtcTransport, webRtcAvailability } from '../src/engine/index.js';
import { parseTorrent } from '../src/torrent/index.js';
import { tempDir } from './helpers/tools.js';
import { webRtcSite } from './helpers/webrtc-site.js';

async function requireWebRtc(t: TestContext) {
  const available = await webRtcAvailability();
  if (available.on) return available.module;
  if (process.env.CI === 'true') throw new Error(available.reason);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${available.reason} ***\n\n`);
  t.skip(available.reason);
  return undefined;
}

test('a WebRTC peer downloads an item from the site peer alone, counted as WebRTC traffic', async (t) => {
  const module = await requireWebRtc(t);
  if (!module) return;
  const { server, item, close } = await webRtcSite({ size: 3_000_000 });
  t.after(close);
  const peer = server.webrtc.peer;
  assert.ok(peer, server.webrtc.status);
  assert.match(server.webrtc.status, /^webrtc: on/);
  const infoHash = Buffer.from(item.infoHash, 'hex');
  assert.equal(peer.serves(infoHash), true);
  assert.equal(peer.serves(randomBytes(20)), false);

  // The downloader: no trackers, no web seed, no TCP peers: only what comes over the data channel.
  const meta = { ...parseTorrent(item.torrent), announce: [], urlList: [] };
  const dir = tempDir(t);
  const engine = new Engine();
  const transport = new WebRtcTransport(module);
  t.after(async () => {
    transport.close();
    await engine.close();
  });
  const session = await engine.add({ meta }, { path: dir });
  const offer = await transport.createOffer();
  const declined = await peer.answer({
    infoHash: randomBytes(20),
    fromPeerId: randomBytes(20),
    offerId: randomBytes(20),
    sdp: offer.sdp,
  });
  assert.equal(declined, undefined, 'an offer for a swarm the site does not serve is declined');
  const answer = await peer.answer({
    infoHash,
    fromPeerId: engine.peerId,
    offerId: randomBytes(20),
    sdp: offer.sdp,
  });
  assert.ok(answer, 'answered');
  engine.connectStream(await offer.accept(answer), session, { host: 'site', port: 0, transport: 'webrtc' });
  await new Promise<void>((resolve) => session.once('complete', () => resolve()));

  const copy = readFileSync(join(dir, item.name));
  assert.equal(createHash('sha256').update(copy).digest('hex'), item.sha256, 'byte-exact');
  const traffic = server.site.seeding.trafficOf(item.id);
  assert.ok(traffic.webrtc >= item.data.length, `webrtc ${traffic.webrtc}`);
  assert.equal(traffic.tcp, 0);
  assert.deepEqual(server.site.seeding.trafficOf(item.id + 1000), { tcp: 0, webrtc: 0 });
});
