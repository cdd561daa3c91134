import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { assertValidPrefix, blobKey, invalidKeyReason, safeSegment } from './keys.js';
import { openBlobStore } from './open.js';

describe('blob keys', () => {
  test('accept segments of letters, digits, dots, dashes and underscores', () => {
    for (const key of ['a', 'items/12/files/0', 'A-b_c.d/e.f', `${'x'.repeat(128)}/y`]) {
      assert.equal(invalidKeyReason(key), undefined, key);
    }
    assert.equal(blobKey('items', 12, 'files', 0), 'items/12/files/0');
  });

  test('refuse anything that could leave the store or hide in it', () => {
    const bad = [
      '',
      '/a',
      'a/',
      'a//b',
      '..',
      '../a',
      'a/..',
      'a/./b',
      '.env',
      'a/.tmp',
      'a\\b',
      'C:/x',
      'a\nb',
      'ä',
      'a%2e',
      'x'.repeat(129),
    ];
    for (const key of bad) assert.notEqual(invalidKeyReason(key), undefined, JSON.stringify(key));
    assert.notEqual(invalidKeyReason(Array(17).fill('a').join('/')), undefined);
    assert.throws(
      () => blobKey('items', '..', 'x'),
      (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
    assert.throws(
      () => blobKey('items', 'a/b/../../..'),
      (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
  });

  test('prefixes may end with a slash or inside a segment', () => {
    for (const p of ['', 'items/', 'items/1', 'items/12/files/']) assert.equal(assertValidPrefix(p), p);
    for (const p of ['/', '../', 'a//', '.x']) {
      assert.throws(
        () => assertValidPrefix(p),
        (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'),
        p,
      );
    }
  });

  test('safeSegment turns any name into a valid segment', () => {
    for (const name of [
      '../../etc/passwd',
      '.hidden',
      'film (1080p).mkv',
      '日本語.mp4',
      '',
      '\u0000',
      'x'.repeat(500),
    ]) {
      const segment = safeSegment(name);
      assert.equal(invalidKeyReason(segment), undefined, `${JSON.stringify(name)} -> ${segment}`);
    }
    assert.equal(safeSegment('film (1080p).mkv'), 'film__1080p_.mkv');
  });
});

describe('openBlobStore', () => {
  test('refuses storage URLs it does not know with STORAGE_CONFIG', () => {
    for (const bad of ['ftp://x', 'just words', { local: '' }]) {
      assert.throws(
        () => openBlobStore(bad),
        (err) => isSeedcastError(err, 'STORAGE_CONFIG'),
        JSON.stringify(bad),
      );
    }
  });
});
