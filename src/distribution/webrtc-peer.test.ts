import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Engine } from '../engine/index.js';
import { startWebRtcPeer } from './webrtc-peer.js';

const seeding = (hashes: Buffer[]) => ({ seedsInfoHash: (h: Buffer) => hashes.some((x) => x.equals(h)) });

describe('the site WebRTC peer', () => {
  it('is off, saying why, when the WebRTC package is missing', async () => {
    const start = await startWebRtcPeer(
      { engine: new Engine(), seeding: seeding([]) },
      { specifier: '@seedcast/no-such-webrtc-package' },
    );
    assert.equal(start.peer, undefined);
    assert.match(
      start.status,
      /^webrtc: off: the optional package @seedcast\/no-such-webrtc-package is not installed/,
    );
  });

  it('is off when turned off', async () => {
    const start = await startWebRtcPeer({ engine: new Engine(), seeding: seeding([]) }, { enabled: false });
    assert.equal(start.peer, undefined);
    assert.match(start.status, /off/);
  });

  it('serves exactly the swarms the site seeds, under the engine peer id, and declines bad offers', async (t) => {
    const hash = randomBytes(20);
    const engine = new Engine();
    const start = await startWebRtcPeer({ engine, seeding: seeding([hash]) }, { maxConnections: 3 });
    if (!start.peer) {
      if (process.env.CI === 'true') throw new Error(start.status);
      t.skip(start.status);
      return;
    }
    t.after(() => start.peer?.close());
    assert.match(start.status, /^webrtc: on .*3 connections/);
    assert.ok(start.peer.peerId.equals(engine.peerId));
    assert.equal(start.peer.serves(hash), true);
    assert.equal(start.peer.serves(randomBytes(20)), false);
    const offer = { infoHash: hash, fromPeerId: randomBytes(20), offerId: randomBytes(20), sdp: 'not sdp' };
    assert.equal(await start.peer.answer(offer), undefined);
  });
});
