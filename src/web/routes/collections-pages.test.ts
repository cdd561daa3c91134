/**
 * The collection pages over `app.inject()` (real services on SQLite, a cookie jar posting forms):
 * visitors are sent to log in; a new collection started from an item page holds that item; errors
 * show next to their field (empty title: 400, the title field named); forms without the CSRF token
 * are refused; the owner moves and removes items and edits the collection, others get 403;
 * unlisted collections carry `noindex` and are left off their owner's page for others; deleting
 * needs the confirmation box; user text is escaped (title) or rendered safely (description).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addItem,
  assertInert,
  Browser,
  EVIL_DESCRIPTION,
  EVIL_TITLE,
  openPagesSite,
} from '../../../test/pages-fixtures.js';

async function member(s: Awaited<ReturnType<typeof openPagesSite>>, username: string) {
  const b = new Browser(s.app);
  const res = await b.post(
    '/register',
    { username, password: 'correct horse', confirm: 'correct horse' },
    { csrfFrom: '/register' },
  );
  assert.equal(res.statusCode, 303, res.body);
  const page = await b.get('/account');
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
  return { b, csrf };
}

test('collection pages: create, add, arrange, edit, visibility, delete, refusals', async (t) => {
  const s = await openPagesSite(t);
  const river = await addItem(s, { title: 'A quiet river' }); // registers "owner" first: the admin
  const storm = await addItem(s, { title: 'A storm' });
  const anon = new Browser(s.app);
  const login = await anon.get('/collections/new');
  assert.equal(login.statusCode, 303);
  assert.match(String(login.headers.location), /^\/login\?next=/);
  assert.equal((await anon.get(`/items/${river.id}`)).body.includes('id="collection-add"'), false);

  const { b, csrf } = await member(s, 'ada');
  // started from an item page: the item is in it
  const form = await b.get(`/collections/new?item=${storm.id}`);
  assert.match(form.body, /It will start with/);
  const empty = await b.post('/collections/new', { _csrf: csrf, title: ' ', item: String(storm.id) });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /id="f-title-error"[^>]*>title: required/);
  assert.equal((await b.post('/collections/new', { title: 'No token' })).statusCode, 403);
  const made = await b.post('/collections/new', {
    _csrf: csrf,
    title: EVIL_TITLE,
    description: EVIL_DESCRIPTION,
    visibility: 'unlisted',
    item: String(storm.id),
  });
  assert.equal(made.statusCode, 303, made.body);
  const path = String(made.headers.location);
  const id = Number(path.split('/').pop());
  const page = await b.get(path);
  assert.equal(page.statusCode, 200);
  assertInert(page.body);
  assert.match(page.body, /<strong>bold<\/strong>/);
  assert.match(page.body, /<meta name="robots" content="noindex">/);
  assert.equal(page.headers['x-robots-tag'], 'noindex');
  assert.match(page.body, /id="arrange"/);

  // the item page's form adds (twice is a no-op) and goes back to the item
  const itemPage = await b.get(`/items/${river.id}`);
  assert.match(itemPage.body, new RegExp(`<option value="${id}">`));
  const added = await b.post('/collections/add', {
    _csrf: csrf,
    collection: String(id),
    item: String(river.id),
  });
  assert.equal(added.statusCode, 303);
  assert.equal(added.headers.location, `/items/${river.id}?collected=${id}#collection-add`);
  assert.match((await b.get(String(added.headers.location))).body, /id="collection-added"/);
  assert.equal(
    (await b.post(`/collections/${id}/items`, { _csrf: csrf, item: String(river.id) })).statusCode,
    303,
  );
  assert.deepEqual(await s.site.collections!.itemIds(id), [storm.id, river.id]);

  // arrange: move up, move at the top (nothing happens), remove
  assert.equal(
    (await b.post(`/collections/${id}/items/${river.id}/move`, { _csrf: csrf, direction: 'up' })).statusCode,
    303,
  );
  assert.deepEqual(await s.site.collections!.itemIds(id), [river.id, storm.id]);
  await b.post(`/collections/${id}/items/${river.id}/move`, { _csrf: csrf, direction: 'up' });
  assert.deepEqual(await s.site.collections!.itemIds(id), [river.id, storm.id]);
  assert.equal(
    (await b.post(`/collections/${id}/items/${river.id}/move`, { _csrf: csrf, direction: 'sideways' }))
      .statusCode,
    400,
  );
  await b.post(`/collections/${id}/items/${storm.id}/remove`, { _csrf: csrf });
  assert.deepEqual(await s.site.collections!.itemIds(id), [river.id]);

  // someone else: sees it by link (no arrange table), cannot change it, does not see it listed
  const bob = await member(s, 'bob');
  const seen = await bob.b.get(path);
  assert.equal(seen.statusCode, 200);
  assert.doesNotMatch(seen.body, /id="arrange"/);
  assert.equal((await bob.b.get(`${path}/edit`)).statusCode, 403);
  assert.equal((await bob.b.post(`${path}/edit`, { _csrf: bob.csrf, title: 'Mine' })).statusCode, 403);
  assert.equal((await bob.b.post(`${path}/items/${river.id}/remove`, { _csrf: bob.csrf })).statusCode, 403);
  assert.doesNotMatch(
    (await bob.b.get('/users/ada/collections')).body,
    new RegExp(`data-collection-id="${id}"`),
  );
  assert.match((await b.get('/users/ada/collections')).body, new RegExp(`data-collection-id="${id}"`));

  // edit: errors kept next to the field; then public
  const badEdit = await b.post(`${path}/edit`, { _csrf: csrf, title: '', visibility: 'public' });
  assert.equal(badEdit.statusCode, 400);
  assert.match(badEdit.body, /f-title-error/);
  assert.equal(
    (await b.post(`${path}/edit`, { _csrf: csrf, title: 'Water', description: '', visibility: 'public' }))
      .statusCode,
    303,
  );
  assert.match((await bob.b.get('/users/ada/collections')).body, /Water/);
  assert.doesNotMatch((await b.get(path)).body, /noindex/);

  // delete needs the box ticked
  assert.equal((await b.post(`${path}/delete`, { _csrf: csrf })).statusCode, 400);
  const gone = await b.post(`${path}/delete`, { _csrf: csrf, confirm: 'yes' });
  assert.equal(gone.statusCode, 303);
  assert.equal(gone.headers.location, '/users/ada/collections');
  assert.equal((await b.get(path)).statusCode, 404);
  assert.equal((await b.get('/collections/99999')).statusCode, 404);
});
