/**
 * The WebRTC settings: on by default, `--no-webrtc`, the connection cap, and `SEEDCAST_STUN` (the
 * STUN servers given to the site's peer and to every viewer's player), refused when malformed.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readWebRtcConfig } from './config.js';
import { isSeedcastError } from './errors.js';

test('WebRTC is on with no STUN server unless configured', () => {
  assert.deepEqual(readWebRtcConfig({}, {}), { enabled: true, maxConnections: 200, stun: [] });
  assert.equal(readWebRtcConfig({ noWebrtc: true }, {}).enabled, false);
  assert.equal(readWebRtcConfig({}, { SEEDCAST_WEBRTC_MAX_CONNECTIONS: '5' }).maxConnections, 5);
});

test('SEEDCAST_STUN takes up to 8 stun: or stuns: URLs and refuses anything else', () => {
  const env = { SEEDCAST_STUN: 'stun:stun.example.org:3478, stuns:[2001:db8::1]:5349' };
  assert.deepEqual(readWebRtcConfig({}, env).stun, [
    'stun:stun.example.org:3478',
    'stuns:[2001:db8::1]:5349',
  ]);
  for (const bad of ['http://stun.example.org', 'turn:relay.example.org', 'stun:a b', 'stun:x"<script>']) {
    assert.throws(
      () => readWebRtcConfig({}, { SEEDCAST_STUN: bad }),
      (e) => isSeedcastError(e, 'USAGE') && /SEEDCAST_STUN/.test(e.message),
    );
  }
  const many = Array.from({ length: 9 }, (_, i) => `stun:s${i}.example.org`).join(',');
  assert.throws(() => readWebRtcConfig({}, { SEEDCAST_STUN: many }), /at most 8/);
});
