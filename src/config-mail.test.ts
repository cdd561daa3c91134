/** The mail settings: none by default, smtp:// or smtps:// URLs, a sender address; bad values refused. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';
import { readMailConfig } from './config-mail.js';
import { isSeedcastError } from './errors.js';

test('no mail unless SEEDCAST_SMTP_URL is set', () => {
  assert.deepEqual(readMailConfig({}), { smtpUrl: undefined, mailFrom: undefined });
  assert.deepEqual(readConfig({}, {}).mail, { smtpUrl: undefined, mailFrom: undefined });
  const env = {
    SEEDCAST_SMTP_URL: 'smtps://u:p%40ss@mail.example.org:465',
    SEEDCAST_MAIL_FROM: 'Site <site@example.org>',
  };
  assert.deepEqual(readConfig({}, env).mail, {
    smtpUrl: 'smtps://u:p%40ss@mail.example.org:465',
    mailFrom: 'Site <site@example.org>',
  });
  assert.equal(readMailConfig({ SEEDCAST_MAIL_FROM: 'site@example.org' }).mailFrom, 'site@example.org');
});

test('bad mail settings are usage errors naming the variable', () => {
  for (const [env, name] of [
    [{ SEEDCAST_SMTP_URL: 'http://mail.example.org' }, /SEEDCAST_SMTP_URL/],
    [{ SEEDCAST_SMTP_URL: 'not a url' }, /SEEDCAST_SMTP_URL/],
    [{ SEEDCAST_MAIL_FROM: 'nobody' }, /SEEDCAST_MAIL_FROM/],
    [{ SEEDCAST_MAIL_FROM: 'A <a@b.org>\r\nBcc: x@y.org' }, /SEEDCAST_MAIL_FROM/],
  ] as const) {
    assert.throws(
      () => readMailConfig(env),
      (err: unknown) => isSeedcastError(err, 'USAGE') && name.test((err as Error).message),
    );
  }
});
