import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';
import { isSeedcastError } from './errors.js';

test('the torrent format: v1 by default, the environment over that, the flag over both; anything else is USAGE', () => {
  assert.equal(readConfig({}, {}).torrentFormat, 'v1');
  assert.equal(readConfig({}, { SEEDCAST_TORRENT_FORMAT: 'hybrid' }).torrentFormat, 'hybrid');
  assert.equal(
    readConfig({ torrentFormat: 'v1' }, { SEEDCAST_TORRENT_FORMAT: 'hybrid' }).torrentFormat,
    'v1',
  );
  assert.equal(readConfig({ torrentFormat: ' Hybrid ' }, {}).torrentFormat, 'hybrid');
  assert.throws(
    () => readConfig({}, { SEEDCAST_TORRENT_FORMAT: 'v2' }),
    (e) => isSeedcastError(e, 'USAGE') && /SEEDCAST_TORRENT_FORMAT must be v1 or hybrid/.test(e.message),
  );
  assert.throws(
    () => readConfig({ torrentFormat: 'v3' }, {}),
    (e) => isSeedcastError(e, 'USAGE') && /--torrent-format/.test(e.message),
  );
});
