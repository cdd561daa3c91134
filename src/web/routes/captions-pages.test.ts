/**
 * The item page's captions and chapters panel: the owner uploads an SRT file, edits chapters and
 * deletes a language through the page's forms (CSRF checked, no JavaScript); visitors see the
 * chapters as `#t=` links and the caption files, but no forms; the page loads `moments.js`
 * (seeking to `#t=`) and stays inert with hostile chapter titles.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addItem, assertInert, Browser, openPagesSite } from '../../../test/pages-fixtures.js';
import { multipart } from '../../../test/site-fixtures.js';

const SRT = '1\n00:00:01,000 --> 00:00:02,000\nHello <b>there</b>\n';

test('the owner manages captions and chapters on the item page; visitors see them', async (t) => {
  const s = await openPagesSite(t);
  const item = await addItem(s);
  const owner = new Browser(s.app);
  const login = await owner.post(
    '/login',
    { username: 'owner', password: 'correct horse' },
    { csrfFrom: '/login' },
  );
  assert.equal(login.statusCode, 303, login.body);

  const page = await owner.get(`/items/${item.id}`);
  assert.match(page.body, /id="captions"/);
  assert.match(page.body, /id="caption-upload"/);
  assert.match(page.body, /src="\/static\/moments\.js\?v=/);
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  const moments = await s.app.inject({ url: '/static/moments.js' });
  assert.equal(moments.statusCode, 200);
  assert.match(moments.body, /currentTime/);

  // upload through the form (multipart, the CSRF field first)
  const form = multipart([
    { name: '_csrf', value: csrf },
    { name: 'language', value: 'en' },
    { name: 'label', value: 'English (CC)' },
    { name: 'file', value: SRT, filename: 'talk.srt', type: 'application/x-subrip' },
  ]);
  const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const up = await s.app.inject({
    method: 'POST',
    url: `/items/${item.id}/captions`,
    headers: { ...form.headers, cookie },
    payload: form.payload,
  });
  assert.equal(up.statusCode, 303, up.body);
  assert.equal(up.headers.location, `/items/${item.id}#captions`);
  // a forged form (no CSRF token) is refused
  const forged = multipart([
    { name: 'language', value: 'fr' },
    { name: 'file', value: SRT, filename: 'talk.srt' },
  ]);
  const refused = await s.app.inject({
    method: 'POST',
    url: `/items/${item.id}/captions`,
    headers: { ...forged.headers, cookie },
    payload: forged.payload,
  });
  assert.equal(refused.statusCode, 403);
  // a bad file shows the error page with the reason
  const bad = multipart([
    { name: '_csrf', value: csrf },
    { name: 'language', value: 'de' },
    { name: 'file', value: 'not captions at all', filename: 'x.srt' },
  ]);
  const badRes = await s.app.inject({
    method: 'POST',
    url: `/items/${item.id}/captions`,
    headers: { ...bad.headers, cookie },
    payload: bad.payload,
  });
  assert.equal(badRes.statusCode, 422);
  assert.match(badRes.body, /neither WebVTT/);

  const chapters = await owner.post(
    `/items/${item.id}/chapters`,
    { chapters: '0:00 Opening\n1:30 <script>alert(1)</script> https://example.org/x' },
    { csrfFrom: `/items/${item.id}` },
  );
  assert.equal(chapters.statusCode, 303, chapters.body);
  const badChapters = await owner.post(
    `/items/${item.id}/chapters`,
    { chapters: 'no time here' },
    { csrfFrom: `/items/${item.id}` },
  );
  assert.equal(badChapters.statusCode, 422);
  assert.match(badChapters.body, /line 1/);

  const visitor = new Browser(s.app);
  const seen = await visitor.get(`/items/${item.id}`);
  assert.match(seen.body, /href="#t=90"/);
  assert.match(seen.body, /href="\/items\/\d+\/captions\/en\.vtt"[^>]*>English \(CC\)</);
  assert.doesNotMatch(seen.body, /id="caption-upload"|id="chapters-editor"|\/delete"/);
  assertInert(seen.body);
  const served = await s.app.inject({ url: `/items/${item.id}/captions/en.vtt` });
  assert.equal(served.body, 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello <b>there</b>\n');

  // the owner sees the editor filled in, and deletes the language
  const mine = await owner.get(`/items/${item.id}`);
  assert.match(
    mine.body,
    /0:00 Opening\n1:30 &lt;script&gt;alert\(1\)&lt;\/script&gt; https:\/\/example.org\/x/,
  );
  assertInert(mine.body);
  const del = await owner.post(`/items/${item.id}/captions/en/delete`, {}, { csrfFrom: `/items/${item.id}` });
  assert.equal(del.statusCode, 303);
  assert.equal((await s.app.inject({ url: `/items/${item.id}/captions/en.vtt` })).statusCode, 404);
  // someone else may not
  const other = new Browser(s.app);
  await other.post(
    '/register',
    { username: 'mallory', password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  const theirs = await other.post(
    `/items/${item.id}/chapters`,
    { chapters: '' },
    { csrfFrom: `/items/${item.id}` },
  );
  assert.equal(theirs.statusCode, 403);
});
