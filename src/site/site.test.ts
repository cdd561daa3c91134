/**
 * The publishing helpers on their own: licences (Creative Commons URLs and SPDX ids, canonical forms,
 * refusals), uploaded file names made safe and unique, and content types that never turn an upload
 * into a page.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { safeFileName, uniqueNames } from './filenames.js';
import { checkLicense } from './license.js';
import { contentTypeOf, mediaTypeOf } from './media.js';

test('licences: Creative Commons URLs and SPDX ids in canonical form', () => {
  assert.equal(checkLicense(undefined), null);
  assert.equal(checkLicense('  '), null);
  assert.equal(
    checkLicense('http://creativecommons.org/licenses/by-sa/4.0'),
    'https://creativecommons.org/licenses/by-sa/4.0/',
  );
  assert.equal(
    checkLicense('https://creativecommons.org/licenses/by-nc-nd/3.0/de/deed.en'),
    'https://creativecommons.org/licenses/by-nc-nd/3.0/de/',
  );
  assert.equal(
    checkLicense('https://creativecommons.org/publicdomain/zero/1.0/'),
    'https://creativecommons.org/publicdomain/zero/1.0/',
  );
  assert.equal(checkLicense('cc-by-sa-4.0'), 'CC-BY-SA-4.0');
  assert.equal(checkLicense('cc0-1.0'), 'CC0-1.0');
  assert.equal(checkLicense('mit'), 'MIT');
  for (const bad of [
    'CC-BY-5.0',
    'CC-SA-4.0',
    'https://creativecommons.org/licenses/by/9.0/',
    'https://example.org/licenses/by/4.0/',
    'https://creativecommons.org/licenses/by/4.0/../../evil',
    'All rights reserved',
    'GPL',
  ]) {
    assert.throws(
      () => checkLicense(bad),
      (e) => isSeedcastError(e, 'ITEM_INVALID') && /license/.test(e.message),
      bad,
    );
  }
});

test('file names: last component only, no hidden files, no control characters, bounded, unique', () => {
  assert.equal(safeFileName('../../etc/passwd', 0), 'passwd');
  assert.equal(safeFileName('C:\\Users\\x\\clip.mp4', 0), 'clip.mp4');
  assert.equal(safeFileName('/abs/path/', 3), 'file-4');
  assert.equal(safeFileName('..', 1), 'file-2');
  assert.equal(safeFileName('.bashrc', 0), '_bashrc');
  assert.equal(safeFileName('a\u0000b\u001bc.txt', 0), 'abc.txt');
  assert.equal(safeFileName(undefined, 0), 'file-1');
  assert.equal(safeFileName('CON', 0), 'file-1', 'reserved device names are refused by the torrent rules');
  const long = safeFileName(`${'é'.repeat(300)}.flac`, 0);
  assert.ok(Buffer.byteLength(long) <= 200 && long.endsWith('.flac'), long);
  assert.deepEqual(uniqueNames(['a.mp3', 'A.mp3', 'a.mp3', 'b']), ['a.mp3', 'A (2).mp3', 'a (3).mp3', 'b']);
});

test('content types: media inline, anything that could run on the origin as a download', () => {
  assert.equal(contentTypeOf('x/clip.MP4'), 'video/mp4');
  assert.equal(contentTypeOf('song.ogg'), 'audio/ogg');
  for (const risky of ['page.html', 'image.svg', 'script.js', 'noext', 'x.htm', 'x.xhtml'])
    assert.equal(contentTypeOf(risky), 'application/octet-stream', risky);
  assert.equal(
    mediaTypeOf([
      { path: 'notes.txt', length: 10 },
      { path: 'talk.webm', length: 1000 },
    ]),
    'video',
  );
  assert.equal(mediaTypeOf([{ path: 'a.bin', length: 10 }]), 'other');
});
