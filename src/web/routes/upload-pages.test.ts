/**
 * The upload page through `app.inject()` on a real SQLite file: visitors without an account are sent
 * to log in; the form has the drop area, the licence chooser, the progress bar and the page script;
 * without JavaScript the multipart form publishes (303 to the new item, whose file is served back
 * byte-exact); refused input re-shows the form with the error next to its field and the typed values
 * kept (escaped); a missing or wrong CSRF field is refused. tus with the session cookie needs the
 * `X-CSRF-Token` header.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { multipart, openTestSite, type Part, type TestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';
import { createTorrent } from '../../torrent/index.js';

async function openPagesSite(t: { after(fn: () => unknown): void }): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-upload-page-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

/** No markup from typed text survived: no script element, no handler attribute. */
function assertInert(html: string): void {
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, tag);
  assert.doesNotMatch(html, /<script>/i);
}

async function sessionOf(s: TestSite, username = 'uploader') {
  const user = await s.site.users.register({ username, password: 'correct horse' });
  const { cookie } = await s.site.sessions.create(user.id);
  const page = await s.app.inject({
    method: 'GET',
    url: '/upload',
    headers: { cookie: `sc_session=${cookie}` },
  });
  assert.equal(page.statusCode, 200, page.body);
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
  return { user, cookie: `sc_session=${cookie}`, csrf, page: page.body };
}

function form(csrf: string, fields: Record<string, string>, files: Part[] = []) {
  return multipart([
    { name: '_csrf', value: csrf },
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...files,
  ]);
}

test('the upload page asks visitors to log in and shows the form to accounts', async (t) => {
  const s = await openPagesSite(t);
  const anonymous = await s.app.inject({ method: 'GET', url: '/upload' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/login?next=%2Fupload');
  const { page } = await sessionOf(s);
  assert.match(
    page,
    /<form id="upload-form"[^>]*method="post" action="\/upload" enctype="multipart\/form-data"/,
  );
  assert.match(page, /<input type="file" id="f-file" name="file"/);
  assert.match(page, /<input type="file" id="f-torrent" name="torrent"/);
  assert.match(page, /<progress id="upload-progress" max="100" value="0"/);
  assert.match(page, /<option value="CC-BY-SA-4.0">CC BY-SA 4.0/);
  assert.match(page, /<option value="other">Another licence \(SPDX id\)/);
  assert.match(page, /<script type="module" src="\/static\/upload\.js\?v=[A-Za-z0-9_-]{12}">/);
  // the CSRF field comes before the files, so the server can check it before reading them
  assert.ok(page.indexOf('name="_csrf"') < page.indexOf('name="file"'));
  const js = await s.app.inject({ method: 'GET', url: '/static/upload.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.body, /Upload-Offset/);
});

test('without JavaScript the form publishes a file and redirects to the item', async (t) => {
  const s = await openPagesSite(t);
  const { cookie, csrf } = await sessionOf(s);
  const data = Buffer.from('RIFF a small recording '.repeat(500));
  const body = form(
    csrf,
    {
      mode: 'file',
      title: 'Dawn chorus',
      description: 'Birds *at* dawn',
      creator: 'A. Recordist',
      date: '2024-05-01',
      language: 'en',
      license: 'other',
      license_other: 'cc-by-3.0',
      tags: 'birds, dawn',
      channel: '',
    },
    [
      { name: 'file', filename: 'dawn.wav', type: 'audio/wav', value: data },
      { name: 'torrent', filename: '', value: '' },
    ],
  );
  const res = await s.app.inject({
    method: 'POST',
    url: '/upload',
    headers: { ...body.headers, cookie },
    payload: body.payload,
  });
  assert.equal(res.statusCode, 303, res.body);
  const id = Number(/^\/items\/(\d+)$/.exec(res.headers.location as string)![1]);
  const item = (await s.site.items.get(id))!;
  assert.equal(item.title, 'Dawn chorus');
  assert.equal(item.license, 'CC-BY-3.0');
  assert.deepEqual(item.tags, ['birds', 'dawn']);
  assert.equal(item.date, '2024-05-01');
  const file = await s.app.inject({ method: 'GET', url: `/api/v1/items/${id}` });
  const served = await s.app.inject({ method: 'GET', url: new URL(file.json().files[0].url).pathname });
  assert.equal(served.statusCode, 200);
  assert.ok(served.rawPayload.equals(data));
});

test('without JavaScript a .torrent alone publishes a torrent-only item', async (t) => {
  const s = await openPagesSite(t);
  const { cookie, csrf } = await sessionOf(s);
  const folder = join(s.dir, 'show');
  mkdirSync(folder);
  writeFileSync(join(folder, 'episode.mp3'), Buffer.alloc(70_000, 7));
  const created = await createTorrent(join(folder, 'episode.mp3'), {
    version: 'v1',
    announce: ['http://elsewhere.example/announce'],
  });
  const body = form(
    csrf,
    { mode: 'torrent', title: 'Only the torrent', license: 'https://creativecommons.org/licenses/by/4.0/' },
    [
      { name: 'file', filename: '', value: '' },
      { name: 'torrent', filename: 'show.torrent', type: 'application/x-bittorrent', value: created.torrent },
    ],
  );
  const res = await s.app.inject({
    method: 'POST',
    url: '/upload',
    headers: { ...body.headers, cookie },
    payload: body.payload,
  });
  assert.equal(res.statusCode, 303, res.body);
  const id = Number(/^\/items\/(\d+)$/.exec(res.headers.location as string)![1]);
  const item = (await s.site.items.get(id))!;
  assert.equal(item.title, 'Only the torrent');
  assert.equal(item.infoHash, created.infoHash);
  assert.equal(item.license, 'CC-BY-4.0');
});

test('refused input comes back with errors next to the fields and the values kept', async (t) => {
  const s = await openPagesSite(t);
  const { cookie, csrf } = await sessionOf(s);
  const evil = '"><script>alert(1)</script>';
  const send = async (fields: Record<string, string>, files: Part[]) => {
    const body = form(csrf, fields, files);
    return s.app.inject({
      method: 'POST',
      url: '/upload',
      headers: { ...body.headers, cookie },
      payload: body.payload,
    });
  };
  const file = { name: 'file', filename: 'a.txt', type: 'text/plain', value: 'hello' };

  const noTitle = await send({ mode: 'file', title: ' ', description: evil, creator: 'Kept Creator' }, [
    file,
  ]);
  assert.equal(noTitle.statusCode, 400);
  assert.match(
    noTitle.body,
    /<input type="text" value=" " id="f-title" name="title" required aria-invalid="true" aria-describedby="f-title-error"/,
  );
  assert.match(noTitle.body, /<p class="field-error" id="f-title-error">required<\/p>/);
  assert.match(noTitle.body, /value="Kept Creator"/);
  assert.match(noTitle.body, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/textarea>/);
  assertInert(noTitle.body);

  const badLicense = await send(
    { mode: 'file', title: 'T', license: 'other', license_other: 'not-a-licence' },
    [file],
  );
  assert.equal(badLicense.statusCode, 400);
  assert.match(badLicense.body, /id="f-license_other-error">a Creative Commons URL/);
  assert.match(badLicense.body, /<option value="other" selected>/);
  assert.match(badLicense.body, /value="not-a-licence"/);

  const noFile = await send({ mode: 'file', title: 'T' }, [{ name: 'file', filename: '', value: '' }]);
  assert.equal(noFile.statusCode, 400);
  assert.match(noFile.body, /id="f-file-error">choose a file to publish/);

  const noTorrent = await send({ mode: 'torrent', title: 'T' }, []);
  assert.equal(noTorrent.statusCode, 400);
  assert.match(noTorrent.body, /id="f-torrent-error">choose a .torrent file/);
  assert.match(noTorrent.body, /value="torrent" id="mode-torrent" checked/);
  assert.equal((await s.site.items.newest({ limit: 10 })).length, 0);
});

test('the form without the right CSRF field is refused before any file is read', async (t) => {
  const s = await openPagesSite(t);
  const { cookie } = await sessionOf(s);
  for (const token of ['', 'x'.repeat(43)]) {
    const body = form(token, { title: 'T' }, [{ name: 'file', filename: 'a.txt', value: 'hi' }]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/upload',
      headers: { ...body.headers, cookie },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
  }
  const noField = multipart([
    { name: 'file', filename: 'a.txt', value: 'hi' },
    { name: 'title', value: 'T' },
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/upload',
    headers: { ...noField.headers, cookie },
    payload: noField.payload,
  });
  assert.equal(res.statusCode, 403);
  assert.equal((await s.site.items.newest({ limit: 10 })).length, 0);
});

test('tus with the session cookie needs the X-CSRF-Token header', async (t) => {
  const s = await openPagesSite(t);
  const { cookie, csrf } = await sessionOf(s);
  const create = (headers: Record<string, string>) =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '5', cookie, ...headers },
    });
  assert.equal((await create({})).statusCode, 403);
  assert.equal((await create({ 'x-csrf-token': 'wrong' })).statusCode, 403);
  const ok = await create({ 'x-csrf-token': csrf });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.match(ok.headers.location as string, /\/api\/v1\/uploads\/[A-Za-z0-9_-]+$/);
});
