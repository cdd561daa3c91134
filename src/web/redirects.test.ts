import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeRedirectPath } from './redirects.js';

test('redirect targets elsewhere are refused, whatever their spelling', () => {
  for (const next of [
    '//evil.example/x',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    ' //evil.example',
    'https://evil.example/',
    'HTTPS://evil.example/',
    'javascript:alert(1)',
    'http:evil.example',
    '//user:pw@evil.example',
    '/%2F/evil.example'.replace('%2F', '/'),
    '',
    `/${'a'.repeat(2001)}`,
  ]) {
    const got = safeRedirectPath(next);
    assert.equal(got, undefined, `${JSON.stringify(next)} gave ${got}`);
  }
});

test('paths of this site are kept, normalised', () => {
  assert.equal(safeRedirectPath('/items/7'), '/items/7');
  assert.equal(safeRedirectPath('/search?q=a b#r'), '/search?q=a%20b#r');
  assert.equal(safeRedirectPath('/%09/evil.example'), '/%09/evil.example');
  assert.equal(safeRedirectPath('/a/../b'), '/b');
});
