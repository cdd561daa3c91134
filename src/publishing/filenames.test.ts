import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeFileName, uniqueNames } from './filenames.js';

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
