/**
 * The channel pages through `app.inject()` with a cookie-keeping client: signing in is required to
 * create; the forms need their CSRF token; bad names and non-images come back beside their fields
 * (nothing created); only the owner edits or deletes (403), deleting needs the confirmation box;
 * following shows on the page and on `/subscriptions`; user text in the description stays inert.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tinyPng } from '../../../test/channels-fixtures.js';
import { assertInert, Browser, EVIL_DESCRIPTION, openPagesSite } from '../../../test/pages-fixtures.js';
import { multipart, type Part } from '../../../test/site-fixtures.js';

async function register(s: Awaited<ReturnType<typeof openPagesSite>>, name: string): Promise<Browser> {
  const b = new Browser(s.app);
  const res = await b.post(
    '/register',
    { username: name, password: 'correct horse 1', confirm: 'correct horse 1' },
    { csrfFrom: '/register' },
  );
  assert.equal(res.statusCode, 303, res.body);
  return b;
}

async function csrf(b: Browser, from: string): Promise<string> {
  return /<meta name="csrf-token" content="([^"]*)">/.exec((await b.get(from)).body)![1]!;
}

function postMultipart(s: Awaited<ReturnType<typeof openPagesSite>>, b: Browser, url: string, parts: Part[]) {
  const body = multipart(parts);
  return s.app.inject({
    method: 'POST',
    url,
    payload: body.payload,
    headers: { ...body.headers, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
}

test('channel pages: create, permissions, CSRF, follow, subscriptions, delete', async (t) => {
  const s = await openPagesSite(t);
  const anonymous = new Browser(s.app);
  const toLogin = await anonymous.get('/channels/new');
  assert.equal(toLogin.statusCode, 303);
  assert.equal(toLogin.headers.location, '/login?next=%2Fchannels%2Fnew');

  const ada = await register(s, 'ada');
  const token = await csrf(ada, '/channels/new');
  const fields = (name: string, extra: Part[] = []): Part[] => [
    { name: '_csrf', value: token },
    { name: 'name', value: name },
    { name: 'title', value: 'Harbour <talks>' },
    { name: 'description', value: EVIL_DESCRIPTION },
    { name: 'category', value: 'Arts' },
    { name: 'medium', value: 'podcast' },
    ...extra,
  ];
  const noCsrf = await postMultipart(s, ada, '/channels/new', fields('harbour').slice(1));
  assert.equal(noCsrf.statusCode, 403);
  const badName = await postMultipart(s, ada, '/channels/new', fields('Harbour!'));
  assert.equal(badName.statusCode, 400);
  assert.match(badName.body, /id="f-name-error"[^>]*>2 to 64 lower-case/);
  assert.match(badName.body, /value="Harbour &lt;talks&gt;"/);
  const notImage = await postMultipart(
    s,
    ada,
    '/channels/new',
    fields('harbour', [
      { name: 'avatar', filename: 'a.png', type: 'image/png', value: Buffer.from('GIF? no') },
    ]),
  );
  assert.equal(notImage.statusCode, 400);
  assert.match(notImage.body, /id="f-avatar-error"[^>]*>Not a PNG, JPEG, WebP or GIF image/);
  assert.equal(await s.site.channels.bySlug('harbour'), undefined, 'nothing was created');

  const made = await postMultipart(
    s,
    ada,
    '/channels/new',
    fields('harbour', [{ name: 'avatar', filename: 'a.png', type: 'image/png', value: tinyPng() }]),
  );
  assert.equal(made.statusCode, 303, made.body);
  assert.equal(made.headers.location, '/channels/harbour');
  const taken = await postMultipart(s, ada, '/channels/new', fields('harbour'));
  assert.equal(taken.statusCode, 409);
  assert.match(taken.body, /id="f-name-error"[^>]*>That name is taken/);

  const page = await ada.get('/channels/harbour');
  assert.equal(page.statusCode, 200);
  assertInert(page.body);
  assert.match(
    page.body,
    /<img class="channel-avatar" id="channel-avatar" src="\/channels\/harbour\/avatar\?v=\d+"/,
  );
  assert.match(page.body, /id="channel-edit"/);
  assert.match((await anonymous.get('/channels')).body, /href="\/channels\/harbour"/);
  assert.doesNotMatch((await anonymous.get('/channels/harbour')).body, /id="channel-follow"/);

  // Another account: no edit link, 403 on the edit page and on delete; may follow.
  const bob = await register(s, 'bob');
  const bobPage = await bob.get('/channels/harbour');
  assert.doesNotMatch(bobPage.body, /id="channel-edit"/);
  assert.equal((await bob.get('/channels/harbour/edit')).statusCode, 403);
  const bobToken = await csrf(bob, '/channels/harbour');
  assert.equal(
    (await bob.post('/channels/harbour/delete', { _csrf: bobToken, confirm: 'yes' })).statusCode,
    403,
  );
  assert.equal((await bob.post('/channels/harbour/follow', {})).statusCode, 403, 'CSRF token required');
  assert.equal((await bob.post('/channels/harbour/follow', { _csrf: bobToken })).statusCode, 303);
  assert.match((await bob.get('/channels/harbour')).body, /id="channel-follow">Unfollow</);
  assert.match((await bob.get('/subscriptions')).body, /id="followed-channels"[\s\S]*Harbour &lt;talks&gt;/);

  // The owner edits, then deletes only with the confirmation box.
  const edited = await postMultipart(s, ada, '/channels/harbour/edit', [
    { name: '_csrf', value: token },
    { name: 'title', value: 'Harbour talks' },
    { name: 'medium', value: 'radio' },
  ]);
  assert.equal(edited.statusCode, 400);
  assert.match(edited.body, /One of podcast, music/);
  const saved = await postMultipart(s, ada, '/channels/harbour/edit', [
    { name: '_csrf', value: token },
    { name: 'title', value: 'Harbour talks' },
    { name: 'medium', value: 'video' },
  ]);
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal((await s.site.channels.bySlug('harbour'))?.medium, 'video');
  assert.equal((await ada.post('/channels/harbour/delete', { _csrf: token })).statusCode, 400);
  assert.equal(
    (await ada.post('/channels/harbour/delete', { _csrf: token, confirm: 'yes' })).statusCode,
    303,
  );
  assert.equal((await ada.get('/channels/harbour')).statusCode, 404);
  assert.equal((await ada.get('/channels/harbour/avatar')).statusCode, 404);
  assert.doesNotMatch((await bob.get('/subscriptions')).body, /Harbour talks/);
});
