/**
 * The owner's item pages through `app.inject()` on a real SQLite file (issue 19): visitors are sent
 * to log in, other accounts get 403, a form without its CSRF field is refused; a bad licence or date
 * re-shows the form with the API's own message at the field and what was typed kept; moving an item
 * to someone else's channel is refused, to one's own accepted; a thumbnail must be an image by its
 * bytes and is then served; delete asks first, then removes the item (its page 404s) and sends the
 * owner to their page. Also: the `.torrent` is named from the title (RFC 6266/8187), a file keeps its
 * own name with `?download=1`, and the report form's reason starts empty and required.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, openPagesSite, pageSession } from '../../../test/pages-fixtures.js';
import { login, multipart, type TestSite } from '../../../test/site-fixtures.js';

async function publish(s: TestSite, auth: Record<string, string>, title: string, filename = 'clip.txt') {
  const body = multipart([
    { name: 'title', value: title },
    { name: 'license', value: 'CC0-1.0' },
    { name: 'file', filename, value: 'some bytes '.repeat(100) },
  ]);
  const created = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...auth },
    payload: body.payload,
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.json() as { id: number; files: { url: string }[] };
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

test('owners edit their item from its page; others, visitors and forged forms are refused', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');
  await login(s.app, 'bob');
  const { id } = await publish(s, ada, 'First title');
  const owner = await pageSession(s, 'ada');
  const other = await pageSession(s, 'bob');
  const own = await s.site.channels.create({ ownerId: owner.user.id, slug: 'talks', title: 'Talks' });
  await s.site.channels.create({ ownerId: other.user.id, slug: 'bobs', title: 'Bob' });

  const visitor = await s.app.inject({ method: 'GET', url: `/items/${id}/edit` });
  assert.equal(visitor.statusCode, 303);
  assert.equal(visitor.headers.location, `/login?next=${encodeURIComponent(`/items/${id}/edit`)}`);

  for (const url of [`/items/${id}/edit`, `/items/${id}/delete`]) {
    const page = await s.app.inject({ method: 'GET', url, headers: { cookie: other.cookie } });
    assert.equal(page.statusCode, 403, url);
    const { 'content-type': type, payload } = form({ _csrf: other.csrf, title: 'Mine now' });
    const post = await s.app.inject({
      method: 'POST',
      url,
      headers: { cookie: other.cookie, 'content-type': type },
      payload,
    });
    assert.equal(post.statusCode, 403, url);
  }

  // The owner sees Edit and Delete on the item page; others do not.
  const itemPage = await s.app.inject({
    method: 'GET',
    url: `/items/${id}`,
    headers: { cookie: owner.cookie },
  });
  assert.match(itemPage.body, new RegExp(`href="/items/${id}/edit"`));
  assert.match(itemPage.body, new RegExp(`href="/items/${id}/delete"`));
  const othersView = await s.app.inject({
    method: 'GET',
    url: `/items/${id}`,
    headers: { cookie: other.cookie },
  });
  assert.doesNotMatch(othersView.body, /id="owner-actions"/);

  const editPage = await s.app.inject({
    method: 'GET',
    url: `/items/${id}/edit`,
    headers: { cookie: owner.cookie },
  });
  assert.equal(editPage.statusCode, 200);
  assert.match(editPage.body, /value="First title"/);
  assert.match(editPage.body, /<option value="talks">Talks<\/option>/);
  assert.doesNotMatch(editPage.body, /bobs/);
  assert.match(editPage.body, /name="_csrf"/);

  const post = (fields: Record<string, string>) =>
    s.app.inject({
      method: 'POST',
      url: `/items/${id}/edit`,
      headers: { cookie: owner.cookie, 'content-type': form(fields)['content-type'] },
      payload: form(fields).payload,
    });

  const forged = await post({ title: 'No token' });
  assert.equal(forged.statusCode, 403);
  assert.equal((await s.site.items.get(id))!.title, 'First title');

  // A bad licence: the API's message at the licence field, the typed values kept.
  const badLicence = await post({ _csrf: owner.csrf, title: 'Typed title', license: 'my own licence' });
  assert.equal(badLicence.statusCode, 400);
  assert.match(badLicence.body, /id="f-license-error"/);
  assert.match(badLicence.body, /value="Typed title"/);
  assert.match(badLicence.body, /value="my own licence"/);
  const api = await s.app.inject({
    method: 'PATCH',
    url: `/api/v1/items/${id}`,
    headers: ada,
    payload: { license: 'my own licence' },
  });
  assert.equal(api.statusCode, 400);
  const apiMessage = api.json().error.message.replace(/^.*?license: /, '');
  assert.ok(badLicence.body.includes(apiMessage.replace(/"/g, '&quot;')), apiMessage);
  assert.equal((await s.site.items.get(id))!.title, 'First title');

  const badDate = await post({ _csrf: owner.csrf, title: 'T', date: 'yesterday' });
  assert.equal(badDate.statusCode, 400);
  assert.match(badDate.body, /id="f-date-error"/);

  // Someone else's channel is refused, one's own accepted.
  const foreign = await post({ _csrf: owner.csrf, title: 'T', channel: 'bobs' });
  assert.equal(foreign.statusCode, 400);
  assert.match(foreign.body, /id="f-channel-error"[^>]*>&quot;bobs&quot; belongs to another account/);
  assert.equal((await s.site.items.get(id))!.channelId, null);

  const saved = await post({
    _csrf: owner.csrf,
    title: 'New title',
    description: 'Now *described*',
    creator: 'Ada',
    date: '2024-05',
    language: 'en',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    tags: 'one, Two',
    channel: 'talks',
  });
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(saved.headers.location, `/items/${id}`);
  const item = (await s.site.items.get(id))!;
  assert.equal(item.title, 'New title');
  assert.equal(item.channelId, own.id);
  assert.deepEqual(item.tags, ['one', 'two']);
  assert.equal(item.date, '2024-05');

  // A thumbnail: refused unless its bytes are an image; a PNG is served as one.
  const upload = (bytes: Uint8Array) => {
    const body = multipart([
      { name: '_csrf', value: owner.csrf },
      { name: 'title', value: 'New title' },
      { name: 'thumbnail', filename: 'x.png', type: 'image/png', value: bytes },
    ]);
    return s.app.inject({
      method: 'POST',
      url: `/items/${id}/edit`,
      headers: { ...body.headers, cookie: owner.cookie },
      payload: body.payload,
    });
  };
  const notImage = await upload(Buffer.from('<svg onload="alert(1)"></svg>'));
  assert.equal(notImage.statusCode, 400);
  assert.match(notImage.body, /id="f-thumbnail-error"[^>]*>a JPEG, PNG or WebP image/);
  const png = await upload(PNG);
  assert.equal(png.statusCode, 303, png.body);
  const thumb = await s.app.inject({ method: 'GET', url: `/items/${id}/thumbnail.jpg` });
  assert.equal(thumb.statusCode, 200);
  assert.equal(thumb.headers['content-type'], 'image/png');
  assert.deepEqual(thumb.rawPayload, PNG);
});

test('deleting asks first, then removes the item and returns to the owner page', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');
  const { id, files } = await publish(s, ada, 'Doomed');
  const owner = await pageSession(s, 'ada');

  const confirm = await s.app.inject({
    method: 'GET',
    url: `/items/${id}/delete`,
    headers: { cookie: owner.cookie },
  });
  assert.equal(confirm.statusCode, 200);
  assert.match(confirm.body, /Delete “Doomed”\?/);
  assert.match(confirm.body, /id="delete-form"/);
  assert.ok(await s.site.items.get(id), 'a GET deletes nothing');

  const forged = await s.app.inject({
    method: 'POST',
    url: `/items/${id}/delete`,
    headers: { cookie: owner.cookie, 'content-type': form({})['content-type'] },
    payload: form({}).payload,
  });
  assert.equal(forged.statusCode, 403);
  assert.ok(await s.site.items.get(id));

  const done = await s.app.inject({
    method: 'POST',
    url: `/items/${id}/delete`,
    headers: { cookie: owner.cookie, 'content-type': form({})['content-type'] },
    payload: form({ _csrf: owner.csrf }).payload,
  });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/users/ada?deleted=Doomed');
  assert.equal(await s.site.items.get(id), undefined);
  const notice = await s.app.inject({
    method: 'GET',
    url: done.headers.location!,
    headers: { cookie: owner.cookie },
  });
  assert.match(notice.body, /id="deleted-notice"[^>]*>“Doomed” was deleted\./);
  const seenByVisitor = await s.app.inject({ method: 'GET', url: done.headers.location! });
  assert.doesNotMatch(seenByVisitor.body, /deleted-notice/);
  assert.equal(s.site.seeding.isSeeding(id), false);
  assert.equal((await s.app.inject({ method: 'GET', url: `/items/${id}` })).statusCode, 404);
  assert.equal((await s.app.inject({ method: 'GET', url: new URL(files[0]!.url).pathname })).statusCode, 404);
});

test('downloads are named from the title; file downloads keep their name; the report reason starts empty', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');
  const { id, files } = await publish(s, ada, 'Café «été» 2026', 'notes d’été.txt');

  const torrent = await s.app.inject({ method: 'GET', url: `/items/${id}.torrent` });
  assert.equal(torrent.statusCode, 200);
  assert.equal(
    torrent.headers['content-disposition'],
    `attachment; filename="Cafe -ete- 2026.torrent"; filename*=UTF-8''Caf%C3%A9%20%C2%AB%C3%A9t%C3%A9%C2%BB%202026.torrent`,
  );

  const path = new URL(files[0]!.url).pathname;
  const inline = await s.app.inject({ method: 'GET', url: path });
  assert.match(String(inline.headers['content-disposition']), /^inline; /);
  const download = await s.app.inject({ method: 'GET', url: `${path}?download=1` });
  assert.equal(
    download.headers['content-disposition'],
    `attachment; filename="notes d-ete.txt"; filename*=UTF-8''notes%20d%E2%80%99%C3%A9t%C3%A9.txt`,
  );
  assert.equal(download.body, inline.body);

  const page = await s.app.inject({ method: 'GET', url: `/items/${id}` });
  const select = /<select id="report-reason" name="reason" required(?:="")?>([\s\S]*?)<\/select>/.exec(
    page.body,
  );
  assert.ok(select, 'the reason is a required select');
  assert.match(select[1]!, /^<option value="" selected(?:="")? disabled(?:="")?>Choose a reason<\/option>/);
  // Visitors get a link to log in, not a dead button.
  assert.match(page.body, /id="favourite-login"/);
  assert.doesNotMatch(page.body, /id="favourite-button"/);
  const anonymousReport = await s.app.inject({
    method: 'POST',
    url: `/items/${id}/report`,
    headers: { 'content-type': form({})['content-type'] },
    payload: form({}).payload,
  });
  assert.notEqual(anonymousReport.statusCode, 303);
});
