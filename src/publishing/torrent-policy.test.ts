import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { type Metainfo, parseTorrent, storagePaths } from '../torrent/index.js';
import { checkTorrentPolicy, MAX_STORED_PATH } from './torrent-policy.js';

/** A v1 torrent of two files, its paths then replaced by `paths` (as the parser would keep them). */
function withPaths(paths: string[][], change: (m: Metainfo) => Metainfo = (m) => m): Metainfo {
  const files = paths.map((p) => ({ length: 5, path: p.slice(1) }));
  const meta = parseTorrent(
    encode({
      info: {
        name: 'show',
        'piece length': 16384,
        pieces: Buffer.alloc(20),
        files: files.map((f, i) => ({ length: f.length, path: [`f${i}`] })),
      },
    } as never),
  );
  const renamed = meta.files.map((f, i) => ({ ...f, path: paths[i]! }));
  const stored = storagePaths({ ...meta, files: renamed });
  return change({ ...meta, files: renamed.map((f, i) => ({ ...f, storagePath: stored[i]! })) });
}

const refusedBy = (meta: Metainfo, rule: string, path?: string) =>
  assert.throws(
    () => checkTorrentPolicy(meta),
    (e) =>
      isSeedcastError(e, 'ITEM_INVALID') &&
      e.message.includes('torrent: the site does not host') &&
      e.message.includes(`(rule "${rule}")`) &&
      (path === undefined || e.message.includes(JSON.stringify(path))),
  );

test('odd paths are hosted under their sanitised names, never refused', () => {
  const meta = withPaths([
    ['show', '..', '..', 'etc', 'passwd'],
    ['show', 'a\\b', ''],
    ['show', 'x'.repeat(300)],
  ]);
  checkTorrentPolicy(meta);
  assert.deepEqual(
    meta.files.map((f) => f.storagePath.join('/')),
    ['show/etc/passwd', 'show/ab/_', `show/${'x'.repeat(240)}`],
  );
});

test('symbolic links are refused by rule "symlinks", naming the link', () => {
  refusedBy(
    withPaths(
      [
        ['show', 'a'],
        ['show', 'link'],
      ],
      (m) => ({
        ...m,
        files: m.files.map((f, i) => (i === 1 ? { ...f, attr: 'l', symlinkPath: ['a'] } : f)),
      }),
    ),
    'symlinks',
    'show/link',
  );
  // An `l` without `symlink path` is an empty file to libtorrent: hosted.
  checkTorrentPolicy(
    withPaths(
      [
        ['show', 'a'],
        ['show', 'l2'],
      ],
      (m) => ({
        ...m,
        files: m.files.map((f, i) => (i === 1 ? { ...f, attr: 'l', length: 0 } : f)),
      }),
    ),
  );
});

test('v2-only, no content and over-long stored paths are refused by their rules', () => {
  refusedBy(
    withPaths([['show', 'a']], (m) => ({ ...m, version: 'v2' })),
    'v2-only',
  );
  refusedBy(
    withPaths([['show', 'a']], (m) => ({ ...m, files: m.files.map((f) => ({ ...f, length: 0 })) })),
    'no-content',
  );
  const deep = ['show', ...Array.from({ length: 40 }, (_, i) => `${'d'.repeat(120)}${i}`), 'f'];
  const meta = withPaths([deep]);
  assert.ok(meta.files[0]!.storagePath.join('/').length > MAX_STORED_PATH);
  refusedBy(meta, 'path-length');
});
