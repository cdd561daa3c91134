/**
 * Cookies and CSRF tokens: cookies are HttpOnly, SameSite=Lax and Secure on https sites; the CSRF
 * token depends on the visitor's secret cookie and is compared whole.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { checkCsrf, csrfTokenFor, parseCookies, serializeCookie } from './session.js';

test('cookies: parsed leniently, first value wins; written HttpOnly, SameSite=Lax, Secure on https', () => {
  const jar = parseCookies('a=1; sc_session=abc; a=2;  spaced = x ;junk');
  assert.equal(jar.get('a'), '1');
  assert.equal(jar.get('sc_session'), 'abc');
  assert.equal(jar.get('spaced'), 'x');
  assert.equal(parseCookies(undefined).size, 0);
  assert.equal(
    serializeCookie('sc_session', 'v', { secure: false, maxAge: 60 }),
    'sc_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
  );
  assert.equal(
    serializeCookie('sc_csrf', 'v', { secure: true }),
    'sc_csrf=v; Path=/; HttpOnly; SameSite=Lax; Secure',
  );
  assert.match(serializeCookie('sc_session', '', { secure: true, maxAge: 0 }), /Max-Age=0; Secure$/);
});

test('CSRF tokens are bound to the secret cookie and checked whole', () => {
  const a = csrfTokenFor('A'.repeat(43));
  const b = csrfTokenFor('B'.repeat(43));
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.doesNotThrow(() => checkCsrf({ csrf: a }, a));
  for (const wrong of [b, '', undefined, a.slice(0, -1), `${a}x`, ['x'], a.toUpperCase()]) {
    assert.throws(
      () => checkCsrf({ csrf: a }, wrong),
      (err) => isSeedcastError(err, 'FORBIDDEN'),
    );
  }
});
