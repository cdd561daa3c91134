/**
 * The WebSocket tracker end to end (the WebTorrent tracker protocol): two WebSocket clients
 * exchange a relayed offer and answer through a real `seedcast tracker` (which prints its
 * `ws://` line beside the HTTP and UDP ones) and through a real site's `/announce`, where the item's
 * API and page counts include them. Message shapes are those of bittorrent-tracker's client
 * (`lib/client/websocket-tracker.js`); its WebRTC half is left out (no WebRTC in Node here), so
 * offers carry a made-up SDP, which the tracker relays as it is.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSiteProc } from './helpers/site-proc.js';
import { freePort, startCli, tempDir } from './helpers/tools.js';
import { announce, bin, sdp, type WsTestClient, wsClient } from './helpers/ws-client.js';

/** A seeder and a leecher meet: the leecher's offer reaches the seeder, its answer comes back. */
async function offerAndAnswer(url: string, infoHash: string): Promise<[WsTestClient, WsTestClient]> {
  const seeder = await wsClient(url);
  seeder.send(announce(infoHash, bin('-WW0100-seeder'), { left: 0, event: 'started' }));
  const first = await seeder.next();
  assert.equal(first.action, 'announce', JSON.stringify(first));
  assert.equal(first['failure reason'], undefined, JSON.stringify(first));
  const leecher = await wsClient(url);
  leecher.send(
    announce(infoHash, bin('-WW0100-leecher'), {
      left: 1000,
      event: 'started',
      offers: [[bin('offer-1'), sdp('1')]],
    }),
  );
  const reply = await leecher.next();
  assert.equal(reply.info_hash, infoHash);
  assert.equal(reply.interval, 120);
  const offer = await seeder.next();
  assert.deepEqual(offer, {
    action: 'announce',
    offer: { type: 'offer', sdp: sdp('1') },
    offer_id: bin('offer-1'),
    peer_id: bin('-WW0100-leecher'),
    info_hash: infoHash,
  });
  seeder.send({
    action: 'announce',
    info_hash: infoHash,
    peer_id: bin('-WW0100-seeder'),
    to_peer_id: offer.peer_id,
    answer: { type: 'answer', sdp: sdp('answer') },
    offer_id: offer.offer_id,
  });
  const answer = await leecher.next();
  assert.deepEqual(answer, {
    action: 'announce',
    answer: { type: 'answer', sdp: sdp('answer') },
    offer_id: bin('offer-1'),
    peer_id: bin('-WW0100-seeder'),
    info_hash: infoHash,
  });
  return [seeder, leecher];
}

test('seedcast tracker relays a WebSocket offer and answer on the HTTP port', async (t) => {
  tempDir(t, 'seedcast-ws-tracker-');
  const port = await freePort();
  const tracker = startCli(t, ['tracker', '--port', String(port)]);
  const [, url] = await tracker.waitFor(/listening on (ws:\/\/\S+)/, 60_000);
  assert.equal(url, `ws://127.0.0.1:${port}/announce`);
  const h = bin(0xab);
  const [seeder, leecher] = await offerAndAnswer(url!, h);
  const enc = '%ab'.repeat(20);
  const scrape = Buffer.from(
    await (await fetch(`http://127.0.0.1:${port}/scrape?info_hash=${enc}`)).arrayBuffer(),
  ).toString('latin1');
  assert.match(
    scrape,
    /8:completei1e10:downloadedi0e10:incompletei1e/,
    'HTTP scrape counts the WebSocket peers',
  );
  await seeder.close();
  await leecher.close();
});

test("the site's /announce speaks WebSocket: peers are relayed and counted on the item's API and page", async (t) => {
  // Without the site's WebRTC peer: it would take the leecher's one offer (it still needs bytes),
  // and this test is about relaying between WebSocket peers (test/webrtc-interop-webtorrent.test.ts
  // has the site's peer answering).
  const site = await startSiteProc(t, { flags: ['--no-webrtc'] });
  const { item } = await site.publish('Browser swarm', { 'clip.bin': Buffer.alloc(100_000, 7) });
  const url = `${site.base.replace('http', 'ws')}/announce`;
  const h = Buffer.from(item.infoHash, 'hex').toString('latin1');
  const swarm = async () => (await site.api(`/api/v1/items/${item.id}`)).swarm;
  // The site's own peer announces over TCP: wait for it, then count the browsers on top.
  let before = await swarm();
  for (let i = 0; i < 100 && before.seeders < 1; i++) {
    await new Promise((r) => setTimeout(r, 100));
    before = await swarm();
  }
  const [seeder, leecher] = await offerAndAnswer(url, h);
  const now = await swarm();
  assert.equal(now.seeders, before.seeders + 1, 'the WebSocket seeder is counted');
  assert.equal(now.leechers, before.leechers + 1, 'the WebSocket leecher is counted');
  const page = await (await fetch(`${site.base}/items/${item.id}`)).text();
  assert.match(page, new RegExp(`data-swarm="seeders">${now.seeders}<`));
  // A torrent not published here is only tracked for the grace window, as over HTTP: the short
  // interval, and its offers go nowhere.
  const stranger = await wsClient(url);
  stranger.send(announce(bin(0x42), bin('stranger'), { left: 10, offers: [[bin('o'), sdp('o')]] }));
  const refused = await stranger.next();
  assert.equal(refused.interval, 60, JSON.stringify(refused));
  // A peer that leaves is no longer counted.
  leecher.send(announce(h, bin('-WW0100-leecher'), { left: 1000, event: 'stopped' }));
  await leecher.next();
  await seeder.close();
  for (let i = 0; i < 50 && (await swarm()).seeders > before.seeders; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    { seeders: (await swarm()).seeders, leechers: (await swarm()).leechers },
    { seeders: before.seeders, leechers: before.leechers },
  );
  await leecher.close();
  await stranger.close();
});
