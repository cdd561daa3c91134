import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiFileName, contentDisposition, titleFileName, torrentFileName } from './download-names.js';

test('a torrent is named from its title, unsafe characters replaced', () => {
  assert.equal(torrentFileName({ id: 11, title: 'Café été: 2026/07' }), 'Café été_ 2026_07.torrent');
  assert.equal(torrentFileName({ id: 11, title: '  ..  ' }), 'item-11.torrent');
  assert.equal(torrentFileName({ id: 3, title: 'Talk' }, '-derivatives'), 'Talk-derivatives.torrent');
  assert.equal(titleFileName('a\u0000b\nc', 'x'), 'a_b_c');
  assert.equal([...titleFileName('é'.repeat(400), 'x')].length, 150);
});

test('the header has an ASCII fallback and the RFC 8187 UTF-8 name', () => {
  assert.equal(
    contentDisposition('attachment', 'Café été.torrent'),
    `attachment; filename="Cafe ete.torrent"; filename*=UTF-8''Caf%C3%A9%20%C3%A9t%C3%A9.torrent`,
  );
  assert.equal(
    contentDisposition('inline', "it's (1).txt"),
    `inline; filename="it-s (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`,
  );
  assert.equal(asciiFileName('日本語', 'download'), 'download');
  assert.match(contentDisposition('attachment', '日本語.torrent'), /filename="download\.torrent"/);
  assert.doesNotMatch(contentDisposition('attachment', 'a"b\\c.txt'), /filename="[^"]*["\\][^"]*"/);
});
