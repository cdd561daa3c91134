/**
 * Our WebSocket tracker against bittorrent-tracker's (the server WebTorrent clients are written
 * against), message for message: the same conversation (a seeder and a leecher announce, the
 * leecher's offers are relayed, the seeder answers, both scrape, one stops) is held with each, and
 * every frame a client receives must have the same keys and the same values, except where the
 * protocol leaves a choice (`flags.min_request_interval`, `downloaded` in scrapes, which
 * bittorrent-tracker leaves out). bittorrent-tracker's own client needs WebRTC in Node
 * (node-datachannel), which does not install here; its frames are reproduced by `ws-client.ts`.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Server from 'bittorrent-tracker/server';
import { MemoryStore, startTracker } from '../src/tracker/index.js';
import { announce, bin, sdp, wsClient } from './helpers/ws-client.js';

type Frame = Record<string, unknown>;

/** The conversation; returns every frame each client received, in order. */
async function converse(url: string): Promise<Frame[]> {
  const h = bin(0x5a);
  const got: Frame[] = [];
  const seeder = await wsClient(url);
  const leecher = await wsClient(url);
  seeder.send(announce(h, bin('-WW-seeder'), { left: 0, event: 'started', numwant: 50 }));
  got.push(await seeder.next());
  leecher.send(
    announce(h, bin('-WW-leecher'), { left: 100, event: 'started', offers: [[bin('offer-a'), sdp('a')]] }),
  );
  got.push(await leecher.next());
  const offer = await seeder.next();
  got.push(offer);
  seeder.send({
    action: 'announce',
    info_hash: h,
    peer_id: bin('-WW-seeder'),
    to_peer_id: offer.peer_id,
    answer: { type: 'answer', sdp: sdp('answer') },
    offer_id: offer.offer_id,
  });
  got.push(await leecher.next());
  leecher.send({ action: 'scrape', info_hash: [h] });
  got.push(await leecher.next());
  leecher.send(announce(h, bin('-WW-leecher'), { left: 100, event: 'stopped' }));
  got.push(await leecher.next());
  seeder.send({ action: 'scrape', info_hash: h });
  got.push(await seeder.next());
  assert.ok(await seeder.quiet(100));
  await seeder.close();
  await leecher.close();
  return got;
}

/** What the protocol leaves to each tracker: taken out before comparing. */
function comparable(frame: Frame): Frame {
  const out = { ...frame };
  if (out.action === 'scrape') {
    delete out.flags;
    const files = out.files as Record<string, Record<string, unknown>>;
    out.files = Object.fromEntries(
      Object.entries(files).map(([k, v]) => [k, { complete: v.complete, incomplete: v.incomplete }]),
    );
  }
  return out;
}

test('our WebSocket tracker answers the WebTorrent conversation frame for frame as bittorrent-tracker does', async () => {
  const theirs = new Server({ udp: false, http: false, ws: true, stats: false });
  theirs.on('warning', () => undefined);
  await new Promise<void>((resolve) => theirs.listen(0, '127.0.0.1', () => resolve()));
  const port = (theirs.http.address() as { port: number }).port;
  const ours = await startTracker({ port: 0, udp: false, store: new MemoryStore() });
  try {
    const expected = await converse(`ws://127.0.0.1:${port}`);
    const actual = await converse(ours.wsUrl!);
    assert.equal(actual.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      assert.deepEqual(comparable(actual[i]!), comparable(expected[i]!), `frame ${i}`);
      assert.deepEqual(
        Object.keys(actual[i]!).sort(),
        Object.keys(expected[i]!).sort(),
        `keys of frame ${i}`,
      );
    }
  } finally {
    await ours.close();
    await new Promise<void>((resolve) => theirs.close(() => resolve()));
  }
});
