/**
 * Captions and chapters through the real app on SQLite and PostgreSQL: an owner uploads SRT and
 * WebVTT files (converted, served as `text/vtt` with CORS and validators), replaces and deletes a
 * language; strangers and anonymous callers are refused; hostile files get the registry's errors.
 * Search finds an item by a word spoken only in its captions, and the hit links to that moment
 * (`#t=` in the API's `url` and on the search page); deleting the captions forgets the word.
 * Chapters are set, served as `application/json+chapters`, and removed.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { login, multipart, openTestSite, type TestSite } from './site-fixtures.js';

const SRT =
  '1\r\n00:00:01,000 --> 00:00:03,000\r\nWelcome to the <i>harbour</i>\r\n\r\n2\r\n00:01:02,500 --> 00:01:05,000\r\nThe zanzibarian quokka appears\r\n';
const VTT = 'WEBVTT\n\n00:00:02.000 --> 00:00:04.000\nBienvenue au port\n';

async function publish(s: TestSite, auth: Record<string, string>, title: string): Promise<number> {
  const body = multipart([
    { name: 'title', value: title },
    { name: 'description', value: 'A walk along the quay.' },
    { name: 'file', value: Buffer.alloc(4000, 7), filename: `${title}.ogg`, type: 'audio/ogg' },
  ]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...auth, ...body.headers },
    payload: body.payload,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function upload(
  s: TestSite,
  auth: Record<string, string>,
  id: number,
  fields: { language?: string; label?: string; kind?: string; file?: string | Buffer; filename?: string },
) {
  const parts = [
    ...(fields.language !== undefined ? [{ name: 'language', value: fields.language }] : []),
    ...(fields.label !== undefined ? [{ name: 'label', value: fields.label }] : []),
    ...(fields.kind !== undefined ? [{ name: 'kind', value: fields.kind }] : []),
    ...(fields.file !== undefined
      ? [
          {
            name: 'file',
            value: Buffer.from(fields.file),
            filename: fields.filename ?? 'captions.srt',
            type: 'text/plain',
          },
        ]
      : []),
  ];
  const body = multipart(parts);
  return s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${id}/captions`,
    headers: { ...auth, ...body.headers },
    payload: body.payload,
  });
}

describeOnEachDatabase('captions and chapters through the API', (fresh) => {
  let s: TestSite;
  let ada: Record<string, string>;
  let bob: Record<string, string>;
  let item = 0;
  let other = 0;
  before(async () => {
    s = await openTestSite(await fresh());
    ada = await login(s.app, 'ada');
    bob = await login(s.app, 'bob');
    item = await publish(s, ada, 'Harbour walk');
    other = await publish(s, ada, 'Harbour night');
  });
  after(async () => {
    await s.close();
  });

  test('an owner uploads SRT (converted) and WebVTT; the files are served with CORS', async () => {
    const res = await upload(s, ada, item, { language: 'EN', file: SRT, filename: 'talk.srt' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), {
      language: 'en',
      label: 'English',
      kind: 'captions',
      url: `http://site.test/items/${item}/captions/en.vtt`,
      cues: 2,
      bytes: res.json().bytes,
    });
    const fr = await upload(s, ada, item, {
      language: 'fr-ca',
      label: 'Français',
      kind: 'subtitles',
      file: VTT,
      filename: 'x.vtt',
    });
    assert.equal(fr.statusCode, 201, fr.body);
    assert.equal(fr.json().language, 'fr-CA');

    const file = await s.app.inject({ url: `/items/${item}/captions/en.vtt` });
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-type'], 'text/vtt; charset=utf-8');
    assert.equal(file.headers['access-control-allow-origin'], '*');
    assert.match(String(file.headers['cache-control']), /public/);
    assert.match(file.body, /^WEBVTT\n\n00:00:01\.000 --> 00:00:03\.000\nWelcome to the <i>harbour<\/i>\n/);
    const again = await s.app.inject({
      url: `/items/${item}/captions/en.vtt`,
      headers: { 'if-none-match': String(file.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal((await s.app.inject({ url: `/items/${item}/captions/de.vtt` })).statusCode, 404);

    const list = await s.app.inject({ url: `/api/v1/items/${item}/captions` });
    assert.deepEqual(
      list
        .json()
        .captions.map((c: { language: string; kind: string; label: string }) => [
          c.language,
          c.kind,
          c.label,
        ]),
      [
        ['en', 'captions', 'English'],
        ['fr-CA', 'subtitles', 'Français'],
      ],
    );
    assert.deepEqual(
      (await s.site.captions!.captions(item)).map((c) => c.url),
      [`http://site.test/items/${item}/captions/en.vtt`, `http://site.test/items/${item}/captions/fr-CA.vtt`],
    );
  });

  test('search finds a word spoken only in the captions and links to its moment', async () => {
    const found = await s.app.inject({ url: '/api/v1/search?q=zanzibarian%20quokka' });
    assert.equal(found.statusCode, 200, found.body);
    const hits = found.json().items;
    assert.deepEqual(
      hits.map((h: { id: number }) => h.id),
      [item],
    );
    assert.equal(hits[0].startSeconds, 62.5);
    assert.equal(hits[0].url, `http://site.test/items/${item}#t=62.5`);
    // the last word as a prefix, like every search
    const prefix = await s.app.inject({ url: '/api/v1/search?q=zanzib' });
    assert.equal(prefix.json().items[0]?.startSeconds, 62.5);
    // a hit in the title too, without a cue holding the word: no moment
    const title = await s.app.inject({ url: '/api/v1/search?q=harbour%20walk' });
    const hit = title.json().items.find((h: { id: number }) => h.id === item);
    assert.ok(hit, title.body);
    assert.equal(hit.startSeconds, undefined);
    assert.equal(hit.url, `http://site.test/items/${item}`);
    const page = await s.app.inject({ url: '/search?q=quokka' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`href="/items/${item}#t=62.5"`));
    assert.match(page.body, /Said at 1:03 in the captions/);
  });

  test('strangers and anonymous callers are refused; hostile files get clear errors', async () => {
    assert.equal((await upload(s, bob, item, { language: 'en', file: SRT })).statusCode, 403);
    assert.equal((await upload(s, {}, item, { language: 'en', file: SRT })).statusCode, 401);
    assert.equal((await upload(s, ada, 999, { language: 'en', file: SRT })).statusCode, 404);
    const cases: [Parameters<typeof upload>[3], number, string][] = [
      [{ language: 'en' }, 422, 'CAPTION_INVALID'],
      [{ file: SRT }, 422, 'CAPTION_INVALID'],
      [{ language: 'not a tag!', file: SRT }, 422, 'CAPTION_INVALID'],
      [{ language: 'en', kind: 'karaoke', file: SRT }, 422, 'CAPTION_INVALID'],
      [{ language: 'en', file: Buffer.from('WEBVTT\n\nhello\n', 'utf16le') }, 415, 'CAPTION_ENCODING'],
      [{ language: 'en', file: Buffer.from([0x31, 0x0a, 0xe9, 0xe9]) }, 415, 'CAPTION_ENCODING'],
      [
        { language: 'en', file: 'WEBVTT\n\n00:09.000 --> 00:01.000\nx\n', filename: 'a.vtt' },
        422,
        'CAPTION_INVALID',
      ],
      [{ language: 'en', file: Buffer.alloc(2 * 1024 * 1024 + 10, 0x41) }, 413, 'CAPTION_TOO_LARGE'],
    ];
    for (const [fields, status, code] of cases) {
      const res = await upload(s, ada, other, fields);
      assert.equal(res.statusCode, status, `${JSON.stringify(fields).slice(0, 80)}: ${res.body}`);
      assert.equal(res.json().error.code, code);
    }
    assert.deepEqual((await s.app.inject({ url: `/api/v1/items/${other}/captions` })).json().captions, []);
  });

  test('replacing and deleting a language; the search forgets deleted words', async () => {
    const replaced = await upload(s, ada, item, {
      language: 'en',
      file: 'WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nA quokka again\n',
    });
    assert.equal(replaced.statusCode, 201);
    const found = await s.app.inject({ url: '/api/v1/search?q=quokka' });
    assert.equal(found.json().items[0].startSeconds, 5);
    assert.equal((await s.app.inject({ url: '/api/v1/search?q=zanzibarian' })).json().total, 0);
    assert.equal(
      (await s.app.inject({ method: 'DELETE', url: `/api/v1/items/${item}/captions/en`, headers: bob }))
        .statusCode,
      403,
    );
    const gone = await s.app.inject({
      method: 'DELETE',
      url: `/api/v1/items/${item}/captions/EN`,
      headers: ada,
    });
    assert.equal(gone.statusCode, 204);
    assert.equal((await s.app.inject({ url: '/api/v1/search?q=quokka' })).json().total, 0);
    assert.equal((await s.app.inject({ url: `/items/${item}/captions/en.vtt` })).statusCode, 404);
    assert.equal(
      (await s.app.inject({ method: 'DELETE', url: `/api/v1/items/${item}/captions/en`, headers: ada }))
        .statusCode,
      404,
    );
  });

  test('deleting the item removes its caption files and rows', async () => {
    const doomed = await publish(s, ada, 'Doomed');
    assert.equal((await upload(s, ada, doomed, { language: 'en', file: SRT })).statusCode, 201);
    assert.ok(await s.site.blobs.head(`items/${doomed}/captions/en.vtt`));
    assert.equal((await s.app.inject({ url: '/api/v1/search?q=zanzibarian' })).json().total, 1);
    const res = await s.app.inject({ method: 'DELETE', url: `/api/v1/items/${doomed}`, headers: ada });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await s.site.blobs.head(`items/${doomed}/captions/en.vtt`), undefined);
    assert.equal((await s.app.inject({ url: '/api/v1/search?q=zanzibarian' })).json().total, 0);
  });

  test('chapters: set, served, refused when hostile, removed', async () => {
    const none = await s.app.inject({ url: `/api/v1/items/${item}/chapters` });
    assert.deepEqual(none.json(), { version: '1.2.0', chapters: [], url: null });
    assert.equal((await s.app.inject({ url: `/items/${item}/chapters.json` })).statusCode, 404);
    const doc = {
      version: '1.2.0',
      chapters: [
        { startTime: 30, title: 'The quay' },
        { startTime: 0, title: 'Intro', url: 'https://example.org/intro' },
      ],
    };
    assert.equal(
      (
        await s.app.inject({
          method: 'PUT',
          url: `/api/v1/items/${item}/chapters`,
          headers: bob,
          payload: doc,
        })
      ).statusCode,
      403,
    );
    const put = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/items/${item}/chapters`,
      headers: ada,
      payload: doc,
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(
      put.json().chapters.map((c: { title: string }) => c.title),
      ['Intro', 'The quay'],
    );
    assert.equal(put.json().url, `http://site.test/items/${item}/chapters.json`);
    const served = await s.app.inject({ url: `/items/${item}/chapters.json` });
    assert.equal(served.headers['content-type'], 'application/json+chapters; charset=utf-8');
    assert.equal(served.headers['access-control-allow-origin'], '*');
    assert.deepEqual(JSON.parse(served.body).chapters[1], { startTime: 30, title: 'The quay' });
    const bad = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/items/${item}/chapters`,
      headers: ada,
      payload: { chapters: [{ startTime: 1, title: 'x', url: 'javascript:alert(1)' }] },
    });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.code, 'CHAPTERS_INVALID');
    assert.equal(await s.site.captions!.chaptersUrl(item), `http://site.test/items/${item}/chapters.json`);
    const cleared = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/items/${item}/chapters`,
      headers: ada,
      payload: { chapters: [] },
    });
    assert.equal(cleared.json().url, null);
    assert.equal((await s.app.inject({ url: `/items/${item}/chapters.json` })).statusCode, 404);
  });
});
