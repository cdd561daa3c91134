/** The engine's tracker client (BEP 3/23 over HTTP, BEP 15 over UDP) against `seedcast tracker`. */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { announce } from '../src/engine/index.js';
import { isSeedcastError } from '../src/errors.js';
import { freePort, startCli } from './helpers/tools.js';

describe('tracker client', { timeout: 240_000 }, () => {
  it('announces over HTTP and UDP and gets the other peers back', async (t) => {
    const port = await freePort();
    const tracker = startCli(t, ['tracker', '--host', '127.0.0.1', '--port', String(port)]);
    await tracker.waitFor(/listening on udp/);
    const infoHash = randomBytes(20);
    const base = { infoHash, uploaded: 0, downloaded: 0, left: 1000, numwant: 50 };
    const http = await announce(`http://127.0.0.1:${port}/announce`, {
      ...base,
      peerId: randomBytes(20),
      port: 40001,
      event: 'started',
    });
    assert.ok(http.interval > 0);
    const udp = await announce(`udp://127.0.0.1:${port}/announce`, {
      ...base,
      peerId: randomBytes(20),
      port: 40002,
      event: 'started',
    });
    assert.deepEqual(udp.peers, [{ host: '127.0.0.1', port: 40001 }]);
    assert.equal(udp.leechers, 2);
    const again = await announce(`http://127.0.0.1:${port}/announce`, {
      ...base,
      peerId: randomBytes(20),
      port: 40003,
      left: 0,
    });
    assert.deepEqual(again.peers.map((p) => p.port).sort(), [40001, 40002]);
    assert.equal(again.seeders, 1);
  });

  it('reports a tracker that does not answer as a typed error', async () => {
    const port = await freePort();
    const params = {
      infoHash: randomBytes(20),
      peerId: randomBytes(20),
      port: 1,
      uploaded: 0,
      downloaded: 0,
      left: 0,
    };
    await assert.rejects(announce(`udp://127.0.0.1:${port}`, params, { timeoutMs: 1500 }), (e) =>
      isSeedcastError(e, 'TRACKER_UNAVAILABLE'),
    );
    await assert.rejects(announce(`http://127.0.0.1:${port}/announce`, params), (e) =>
      isSeedcastError(e, 'TRACKER_UNAVAILABLE'),
    );
    await assert.rejects(announce('wss://x/announce', params), /unsupported/);
  });
});
