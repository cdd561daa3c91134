/**
 * The admin page through `app.inject()` on a real SQLite file with a real seeding engine: visitors
 * are sent to log in, other accounts get a 403 page; an admin takes a published item down (its
 * page, API answer and file are gone, the site's peer stops seeding it) and restores it (all back,
 * seeded again); every action needs the CSRF field.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, openPagesSite, pageSession } from '../../../test/pages-fixtures.js';
import { login, multipart } from '../../../test/site-fixtures.js';

test('only admins see the admin page; an admin takes an item down and restores it', async (t) => {
  const s = await openPagesSite(t);
  await login(s.app, 'root'); // the first account is the admin
  const bob = await login(s.app, 'bob');
  const body = multipart([
    { name: 'title', value: 'To be reported' },
    { name: 'file', filename: 'clip.txt', value: 'some bytes '.repeat(100) },
  ]);
  const created = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...bob },
    payload: body.payload,
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id, files } = created.json();
  const filePath = new URL(files[0].url).pathname;
  assert.ok(s.site.seeding.isSeeding(id));

  const anonymous = await s.app.inject({ method: 'GET', url: '/admin' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/login?next=%2Fadmin');
  const bobSession = await pageSession(s, 'bob');
  const refused = await s.app.inject({
    method: 'GET',
    url: '/admin',
    headers: { cookie: bobSession.cookie },
  });
  assert.equal(refused.statusCode, 403);
  assert.match(refused.headers['content-type'] as string, /^text\/html/);
  const bobTries = await s.app.inject({
    method: 'POST',
    url: `/admin/items/${id}/takedown`,
    headers: { cookie: bobSession.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: bobSession.csrf }).toString(),
  });
  assert.equal(bobTries.statusCode, 403);

  const root = await pageSession(s, 'root');
  const page = await s.app.inject({ method: 'GET', url: '/admin', headers: { cookie: root.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<form method="post" action="\/admin\/takedown" class="form" id="takedown-form">/);
  assert.match(page.body, /Nothing is taken down/);

  const { 'content-type': type, payload: noCsrf } = form({ item: String(id) });
  const forged = await s.app.inject({
    method: 'POST',
    url: '/admin/takedown',
    headers: { cookie: root.cookie, 'content-type': type },
    payload: noCsrf,
  });
  assert.equal(forged.statusCode, 403);
  assert.equal((await s.app.inject({ method: 'GET', url: `/items/${id}` })).statusCode, 200);

  const down = await s.app.inject({
    method: 'POST',
    url: '/admin/takedown',
    headers: { cookie: root.cookie, 'content-type': type },
    payload: new URLSearchParams({
      _csrf: root.csrf,
      item: `http://site.test/items/${id}`,
      reason: 'DMCA notice <b>42</b>',
    }).toString(),
  });
  assert.equal(down.statusCode, 303);
  assert.equal(down.headers.location, '/admin?done=down');
  assert.equal((await s.app.inject({ method: 'GET', url: `/items/${id}` })).statusCode, 404);
  // The API and the file URLs say why: 451 Unavailable For Legal Reasons (docs/api.md).
  assert.equal((await s.app.inject({ method: 'GET', url: `/api/v1/items/${id}` })).statusCode, 451);
  assert.equal((await s.app.inject({ method: 'GET', url: filePath })).statusCode, 451);
  assert.equal(s.site.seeding.isSeeding(id), false, 'the site peer stopped seeding it');
  const listed = await s.app.inject({
    method: 'GET',
    url: '/admin?done=down',
    headers: { cookie: root.cookie },
  });
  assert.match(listed.body, /id="admin-notice">The item was taken down/);
  assert.match(
    listed.body,
    new RegExp(
      `<tr data-item-id="${id}"><td>To be reported</td><td class="pre-line">DMCA notice &lt;b&gt;42&lt;/b&gt;</td>`,
    ),
  );
  assert.equal((await s.site.items.get(id))!.takedownReason, 'DMCA notice <b>42</b>');
  assert.match(listed.body, new RegExp(`action="/admin/items/${id}/restore"`));

  const restored = await s.app.inject({
    method: 'POST',
    url: `/admin/items/${id}/restore`,
    headers: { cookie: root.cookie, 'content-type': type },
    payload: new URLSearchParams({ _csrf: root.csrf }).toString(),
  });
  assert.equal(restored.statusCode, 303);
  assert.equal((await s.app.inject({ method: 'GET', url: `/items/${id}` })).statusCode, 200);
  assert.equal((await s.app.inject({ method: 'GET', url: filePath })).statusCode, 200);
  assert.ok(s.site.seeding.isSeeding(id), 'seeded again');

  const missing = await s.app.inject({
    method: 'POST',
    url: '/admin/items/999/takedown',
    headers: { cookie: root.cookie, 'content-type': type },
    payload: new URLSearchParams({ _csrf: root.csrf }).toString(),
  });
  assert.equal(missing.statusCode, 404);
});
