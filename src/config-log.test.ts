/** `--log-level` over `SEEDCAST_LOG_LEVEL` (none: no request log), bad values refused; query secrets redacted. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';
import { redactUrl, requestLogger } from './web/request-log.js';

test('log level: the flag over the environment; none by default; a bad value is USAGE', () => {
  assert.equal(readConfig({}, {}).logLevel, undefined);
  assert.equal(readConfig({}, { SEEDCAST_LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
  assert.equal(readConfig({ logLevel: 'info' }, { SEEDCAST_LOG_LEVEL: 'debug' }).logLevel, 'info');
  assert.throws(() => readConfig({ logLevel: 'loud' }, {}), /--log-level must be one of/);
  assert.throws(() => readConfig({}, { SEEDCAST_LOG_LEVEL: 'x' }), /SEEDCAST_LOG_LEVEL/);
  assert.equal(requestLogger('silent'), false);
});

test('secret-looking query values are redacted, others kept', () => {
  assert.equal(redactUrl('/a?token=abc&q=cats'), '/a?token=[redacted]&q=cats');
  assert.equal(redactUrl('/register?invite=XYZ'), '/register?invite=[redacted]');
  assert.equal(
    redactUrl('/x?api_key=1&Password=2&page=3'),
    '/x?api_key=[redacted]&Password=[redacted]&page=3',
  );
  assert.equal(redactUrl('/plain'), '/plain');
});
