/**
 * The site's web seed for a torrent-only item whose paths are odd (in process: `app.inject()`, real
 * catalog and blob store, on both databases): once its files are held, each answers at its recorded
 * (sanitised) path, at the torrent's own path (what Seedcast's engine and aria2 ask for: backslashes,
 * empty components, Windows names, invalid UTF-8 as the parser decodes it) and at libtorrent's
 * sanitised path; a path of no file is still 404.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { libtorrentUrlPaths, parseTorrent } from '../src/torrent/index.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

const files = [
  { path: ['x.txt'], data: Buffer.from('first x') },
  { path: ['X.TXT'], data: Buffer.from('second X, upper case') },
  { path: ['c\\d', '', 'e.txt'], data: Buffer.from('backslash and an empty component') },
  { path: ['CON'], data: Buffer.from('a Windows device name') },
  { path: ['..', '..', 'evil.sh'], data: Buffer.from('climbing') },
  { path: [Buffer.from('bad\xc3a.txt', 'latin1')], data: Buffer.from('invalid UTF-8') },
];

function oddTorrent(): Buffer {
  const all = Buffer.concat(files.map((f) => f.data));
  return encode({
    announce: 'http://elsewhere.example/announce',
    info: {
      name: 'odd',
      'piece length': 16384,
      pieces: createHash('sha1').update(all).digest(),
      files: files.map((f) => ({ length: f.data.length, path: f.path })),
    },
  } as never);
}

describeOnEachDatabase('torrent-only web seed with odd paths', (fresh) => {
  test("each file answers at its recorded path, the torrent's own and libtorrent's", async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const torrent = oddTorrent();
    const body = multipart([
      { name: 'title', value: 'Odd' },
      { name: 'torrent', filename: 'odd.torrent', value: torrent, type: 'application/x-bittorrent' },
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      payload: body.payload,
      headers: { ...body.headers, ...auth },
    });
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json();
    const meta = parseTorrent(torrent);
    assert.deepEqual(
      item.files.map((f: { path: string }) => f.path),
      ['odd/x.txt', 'odd/X.1.TXT', 'odd/cd/_/e.txt', 'odd/_CON', 'odd/evil.sh', 'odd/bad_.txt'],
    );
    // The site holds the bytes (as the archiver leaves them).
    for (const [n, f] of files.entries()) {
      const key = `files/${item.id}/${n}`;
      const sha256 = createHash('sha256').update(f.data).digest('hex');
      await s.site.blobs.put(key, f.data, { size: f.data.length, sha256 });
      await s.site.items.setFileBlob(item.id, n, key, sha256);
    }
    const get = async (path: string[]) =>
      s.app.inject({
        method: 'GET',
        url: `/items/${item.id}/files/${path.map(encodeURIComponent).join('/')}`,
      });
    const lt = libtorrentUrlPaths(meta);
    for (const [n, f] of files.entries()) {
      for (const path of [item.files[n].path.split('/'), meta.files[n]!.path, lt[n]!]) {
        if (path.includes('..')) continue; // a URL cannot carry it: see libtorrent's path
        const got = await get(path);
        assert.equal(got.statusCode, 200, `${path.join('/')}: ${got.statusCode}`);
        assert.ok(got.rawPayload.equals(f.data), `bytes at ${path.join('/')}`);
      }
    }
    assert.deepEqual(lt[1], ['odd', 'X.TXT'], 'libtorrent asks for the duplicate by its own name');
    assert.deepEqual(lt[3], ['odd', 'CON']);
    assert.equal((await get(['odd', 'nothing'])).statusCode, 404);
    assert.equal((await get(['odd', 'x.1.txt'])).statusCode, 404);
  });
});
