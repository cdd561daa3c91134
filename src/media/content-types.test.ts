import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTypeOf, mediaTypeOf } from './content-types.js';

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
