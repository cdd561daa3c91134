/**
 * User files never run as pages of the site (issue 15, finding 12): every response that carries bytes
 * a user sent (files under the web seed URL, the `.torrent`, the thumbnail) has
 * `Content-Security-Policy: sandbox` and `nosniff`; only passive media and plain text are inline, and
 * PDFs, HTML and SVG are downloads.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

test('user files carry a sandbox CSP and nosniff; active types are attachments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-files-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const auth = await login(s.app);
  const files: Record<string, string> = {
    'doc.pdf': '%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n',
    'page.html': '<script>fetch("/api/v1/account/logout-everywhere",{method:"POST"})</script>',
    'pic.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    'song.mp3': 'ID3 not really an mp3',
    'notes.txt': 'plain words',
  };
  const body = multipart([
    { name: 'title', value: 'Mixed bag' },
    ...Object.entries(files).map(([name, value]) => ({ name: 'file', filename: name, value })),
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...auth },
    payload: body.payload,
  });
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json();
  const expected: Record<string, 'inline' | 'attachment'> = {
    'doc.pdf': 'attachment',
    'page.html': 'attachment',
    'pic.svg': 'attachment',
    'song.mp3': 'inline',
    'notes.txt': 'inline',
  };
  for (const f of item.files as { path: string; url: string }[]) {
    const name = f.path.split('/').pop()!;
    for (const method of ['GET', 'HEAD'] as const) {
      const got = await s.app.inject({ method, url: new URL(f.url).pathname });
      assert.equal(got.statusCode, 200, `${method} ${name}`);
      assert.equal(got.headers['content-security-policy'], 'sandbox', name);
      assert.equal(got.headers['x-content-type-options'], 'nosniff', name);
      assert.match(String(got.headers['content-disposition']), new RegExp(`^${expected[name]};`), name);
    }
    const ranged = await s.app.inject({
      method: 'GET',
      url: new URL(f.url).pathname,
      headers: { range: 'bytes=0-' },
    });
    assert.equal(ranged.headers['content-security-policy'], 'sandbox', `${name} (range)`);
  }
  const torrent = await s.app.inject({ method: 'GET', url: `/items/${item.id}.torrent` });
  assert.equal(torrent.headers['content-security-policy'], 'sandbox');
  assert.equal(torrent.headers['x-content-type-options'], 'nosniff');
  // a thumbnail is bytes ffmpeg made from a user's file: sandboxed too
  await s.site.blobs.put(`thumbnails/${item.id}.jpg`, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await s.site.items.update(item.id, { thumbnailKey: `thumbnails/${item.id}.jpg` });
  const thumb = await s.app.inject({ method: 'GET', url: `/items/${item.id}/thumbnail.jpg` });
  assert.equal(thumb.statusCode, 200, thumb.body);
  assert.equal(thumb.headers['content-security-policy'], 'sandbox');
  assert.equal(thumb.headers['x-content-type-options'], 'nosniff');
});
