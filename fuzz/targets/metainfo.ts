/**
 * The metainfo parser (BEP 3, 12, 19, 27, 47, 52: v1, v2 and hybrid `.torrent` files, read as
 * libtorrent reads them), with and without required piece layers. Seeds: the wild-torrent corpus of
 * issue 21 (test/helpers/wild-torrents.ts) and torrents made by createTorrent. Contract: a Metainfo
 * whose numbers add up, or a SeedcastError. Property: its magnet link parses back to the same hashes;
 * requiring piece layers never turns a refusal into a success; every file's `storagePath` is safe,
 * inside the torrent's folder and unique.
 */

import assert from 'node:assert/strict';
import {
  formatMagnet,
  type Metainfo,
  magnetFromMetainfo,
  parseMagnet,
  parseTorrent,
  unsafeComponentReason,
} from '../../src/torrent/index.js';
import type { FuzzTarget } from '../engine/target.js';

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const target: FuzzTarget = {
  description: 'parseTorrent (v1, v2, hybrid), shape and magnet round trip',
  cover: ['/src/torrent/', '/src/bencode/'],
  maxLen: 16384,
  dictionary: [
    '4:info',
    '4:name',
    '12:piece length',
    '6:pieces',
    '6:length',
    '5:files',
    '4:path',
    '9:file tree',
    '12:meta version',
    '11:pieces root',
    '12:piece layers',
    '4:attr',
    '1:p',
    '1:x',
    '1:l',
    '12:symlink path',
    '8:announce',
    '13:announce-list',
    '8:url-list',
    '7:privatei1e',
    '10:name.utf-8',
    '0:',
    'i0e',
    'i2e',
    'i16384e',
    'i-1e',
    'de',
    'le',
    '2:..',
    '1:.',
    '1:/',
    '32:',
    '20:',
  ],
  make: () => (data) => {
    const meta = parseTorrent(data);
    try {
      const strict = parseTorrent(data, { requirePieceLayers: true });
      assert.equal(strict.infoHash, meta.infoHash, 'same hash with piece layers required');
    } catch (err) {
      if (!(err instanceof Error) || !('code' in err)) throw err;
    }
    assert.ok(['v1', 'v2', 'hybrid'].includes(meta.version));
    assert.ok(Number.isSafeInteger(meta.pieceLength) && meta.pieceLength > 0, 'piece length');
    assert.ok(Number.isSafeInteger(meta.length) && meta.length >= 0, 'length');
    assert.ok(Number.isSafeInteger(meta.pieceCount) && meta.pieceCount >= 0, 'piece count');
    if (meta.version !== 'v2') {
      // The v1 piece space holds every file back to back, padding included.
      const space = meta.files.reduce((n, f) => n + f.length, 0);
      assert.equal(meta.pieceCount, Math.ceil(space / meta.pieceLength), 'piece count');
      assert.equal(meta.pieces.length, meta.pieceCount * 20, 'v1 pieces');
    }
    assert.match(meta.infoHash, HEX40);
    if (meta.version !== 'v1') assert.match(meta.infoHashV2 ?? '', HEX64);
    let sum = 0;
    for (const f of meta.files) {
      assert.ok(Number.isSafeInteger(f.length) && f.length >= 0, 'file length');
      // Paths are kept as the torrent writes them (`..` and empty components included).
      assert.ok(f.path.length > 0 && f.path.every((p) => typeof p === 'string'), 'file path');
      if (!f.padding) sum += f.length;
    }
    assert.equal(sum, meta.length, 'file lengths add up to the length');
    checkStoragePaths(meta);
    const magnet = parseMagnet(formatMagnet(magnetFromMetainfo(meta)));
    if (meta.version !== 'v2') assert.equal(magnet.infoHash, meta.infoHash);
    assert.equal(magnet.infoHashV2, meta.infoHashV2);
    assert.equal(magnet.name, meta.name);
  },
};

/**
 * Issue 21, paths: every file is stored under safe components, inside the torrent's folder for a
 * multi-file torrent, and no two real files (nor a file and a folder) share a path, ASCII case ignored.
 */
function checkStoragePaths(meta: Metainfo): void {
  const lower = (p: string[]) => p.join('/').replace(/[A-Z]+/g, (c) => c.toLowerCase());
  const files = new Set<string>();
  const folders = new Set<string>();
  for (const f of meta.files) {
    const p = f.storagePath;
    assert.ok(p.length >= (meta.multiFile ? 2 : 1), 'storage path depth');
    for (const c of p)
      assert.equal(unsafeComponentReason(c), undefined, `unsafe component ${JSON.stringify(c)}`);
    if (meta.multiFile) assert.equal(p[0], meta.files[0]!.storagePath[0], 'one top folder');
    for (let n = 1; n < p.length; n++) folders.add(lower(p.slice(0, n)));
    if (f.padding) continue;
    assert.ok(!files.has(lower(p)), `two files stored as ${p.join('/')}`);
    files.add(lower(p));
  }
  for (const f of files) assert.ok(!folders.has(f), `a file stored where a folder is: ${f}`);
}
