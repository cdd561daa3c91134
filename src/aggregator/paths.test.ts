import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unsafeComponentReason } from '../torrent/index.js';
import { inside, safeExtension, safeName, seedcastHome } from './paths.js';

describe('aggregator paths', () => {
  it('SEEDCAST_HOME wins; otherwise ~/.seedcast', () => {
    assert.equal(seedcastHome({ SEEDCAST_HOME: '/srv/sc' }), '/srv/sc');
    assert.match(seedcastHome({}), /\.seedcast$/);
  });

  it('titles become one safe path component', () => {
    const hostile = [
      '../../etc/passwd',
      '..',
      '.',
      '',
      '   ',
      'CON',
      'a/b\\c:d*e?f"g<h>i|j',
      'line\nbreak\u0000nul',
      '...hidden',
      'trailing dots...',
      'x'.repeat(500),
      '😀'.repeat(100),
    ];
    for (const title of hostile) {
      const name = safeName(title);
      assert.equal(
        unsafeComponentReason(name),
        undefined,
        `${JSON.stringify(title)} -> ${JSON.stringify(name)}`,
      );
      assert.ok(!name.startsWith('.'), name);
      assert.ok(Buffer.byteLength(name) <= 120, name);
    }
    assert.equal(safeName('Episode 12: The <Return>'), 'Episode 12 The Return');
    assert.equal(safeName('../../etc/passwd'), 'etc passwd');
  });

  it('extensions come from the URL path, else from the MIME type', () => {
    assert.equal(safeExtension('http://h/a/show.MP3?x=1'), '.mp3');
    assert.equal(safeExtension('http://h/a/download', 'audio/mpeg'), '.mp3');
    assert.equal(safeExtension('http://h/a/x.<script>'), '');
  });

  it('inside() refuses paths that leave the folder', () => {
    assert.equal(inside('/a/b', 'c'), '/a/b/c');
    assert.throws(() => inside('/a/b', '..', 'c'));
    assert.throws(() => inside('/a/b', '/etc'));
  });
});
