/**
 * Channels over the API (`app.inject()`, real services on a SQLite file): create, list, get, change
 * and delete, with bad input answered 400/403/409 naming the field; follow and the subscriptions
 * list; an avatar (a real PNG made by ffmpeg) stored and served with its type, a non-image refused;
 * items moved into one's own channel only; channel creation rate-limited per account.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { requireTools, run, tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

test('channels: create, list, change, delete, follow, images, with permissions', async (t) => {
  if (!requireTools(t, 'ffmpeg')) return;
  const dir = tempDir(t, 'seedcast-channels-api-');
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db, { limits: { actions: { channels: { max: 4, timeWindow: 3_600_000 } } } });
  t.after(async () => {
    await s.close();
    await db.destroy();
  });
  const admin = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: object) =>
    s.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
  const errorOf = (res: { json(): { error: { message: string } } }) => res.json().error.message;

  assert.equal((await call('POST', '/api/v1/channels', {}, { name: 'x1', title: 'T' })).statusCode, 401);
  const created = await call('POST', '/api/v1/channels', ada, {
    name: 'harbour-talks',
    title: 'Harbour talks',
    description: 'Talks **by the sea**.',
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(Object.keys(created.json()).sort(), ['id', 'name', 'url']);
  assert.equal(created.json().name, 'harbour-talks');
  assert.equal(created.json().url, 'http://site.test/channels/harbour-talks');

  const dup = await call('POST', '/api/v1/channels', bob, { name: 'harbour-talks', title: 'Mine' });
  assert.equal(dup.statusCode, 409);
  assert.match(errorOf(dup), /name: /);
  for (const name of ['Harbour', 'a', 'has space', '-x', 'é-accent', '../up']) {
    const bad = await call('POST', '/api/v1/channels', bob, { name, title: 'T' });
    assert.equal(bad.statusCode, 400, name);
    assert.match(errorOf(bad), /name/, name);
  }
  const noTitle = await call('POST', '/api/v1/channels', bob, { name: 'bobs', title: '  ' });
  assert.equal(noTitle.statusCode, 400);
  assert.match(errorOf(noTitle), /title: /);
  assert.equal(
    (await call('POST', '/api/v1/channels', bob, { name: 'bobs', title: 'Bob’s' })).statusCode,
    201,
  );

  const list = await call('GET', '/api/v1/channels');
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().total, 2);
  assert.deepEqual(
    list.json().channels.map((c: { name: string; owner: string }) => [c.name, c.owner]),
    [
      ['bobs', 'bob'],
      ['harbour-talks', 'ada'],
    ],
  );
  const one = (await call('GET', '/api/v1/channels/harbour-talks')).json();
  assert.equal(one.title, 'Harbour talks');
  assert.equal(one.medium, 'podcast');
  assert.equal(one.avatarUrl, null);
  assert.equal(one.feeds.rss, 'http://site.test/channels/harbour-talks/feed.rss');
  assert.equal((await call('GET', '/api/v1/channels/nothing-here')).statusCode, 404);

  // Changes: the owner or an admin; others 403; bad fields 400 naming them.
  const url = '/api/v1/channels/harbour-talks';
  assert.equal((await call('PATCH', url, {}, { title: 'x' })).statusCode, 401);
  const forbidden = await call('PATCH', url, bob, { title: 'Stolen' });
  assert.equal(forbidden.statusCode, 403);
  assert.equal((await call('DELETE', url, bob)).statusCode, 403);
  const badMedium = await call('PATCH', url, ada, { medium: 'radio' });
  assert.equal(badMedium.statusCode, 400);
  assert.match(errorOf(badMedium), /medium: /);
  const patched = await call('PATCH', url, ada, { title: 'Harbour talks, weekly', category: 'Arts > Books' });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().title, 'Harbour talks, weekly');
  assert.equal(patched.json().category, 'Arts > Books');
  assert.equal((await call('PATCH', url, admin, { medium: 'video' })).json().medium, 'video');

  // Avatar: a real PNG is stored and served; a non-image and a stranger are refused.
  const png = join(dir, 'avatar.png');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x3366aa:s=16x16', '-frames:v', '1', png]);
  const pngBytes = readFileSync(png);
  const upload = (kind: string, headers: Record<string, string>, value: Buffer, filename = 'a.png') => {
    const body = multipart([{ name: 'file', filename, value }]);
    return s.app.inject({
      method: 'PUT',
      url: `${url}/${kind}`,
      payload: body.payload,
      headers: { ...body.headers, ...headers },
    });
  };
  assert.equal((await upload('avatar', bob, pngBytes)).statusCode, 403);
  const notImage = await upload(
    'avatar',
    ada,
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    'x.png',
  );
  assert.equal(notImage.statusCode, 400);
  assert.match(errorOf(notImage), /file: not a PNG, JPEG, WebP or GIF image/);
  const tooBig = await upload('banner', ada, Buffer.concat([pngBytes, Buffer.alloc(5 * 1024 * 1024)]));
  assert.equal(tooBig.statusCode, 413);
  const withAvatar = await upload('avatar', ada, pngBytes);
  assert.equal(withAvatar.statusCode, 200, withAvatar.body);
  const avatarUrl: string = withAvatar.json().avatarUrl;
  assert.match(avatarUrl, /^http:\/\/site\.test\/channels\/harbour-talks\/avatar\?v=\d+$/);
  const served = await s.app.inject({ url: avatarUrl.slice('http://site.test'.length) });
  assert.equal(served.statusCode, 200);
  assert.equal(served.headers['content-type'], 'image/png');
  assert.equal(served.headers['x-content-type-options'], 'nosniff');
  assert.match(String(served.headers['cache-control']), /public/);
  assert.deepEqual(served.rawPayload, pngBytes);
  const again = await s.app.inject({
    url: '/channels/harbour-talks/avatar',
    headers: { 'if-none-match': String(served.headers.etag) },
  });
  assert.equal(again.statusCode, 304);
  assert.equal((await s.app.inject({ url: '/channels/harbour-talks/banner' })).statusCode, 404);
  assert.deepEqual(
    [...(await s.files())].filter((f) => f.includes('channels/')).map((f) => f.replace(/^.*channels\//, '')),
    [`${one.id}/avatar.png`],
  );

  // Items: into one's own channel only (403 for another's), out with null.
  const published = multipart([
    { name: 'title', value: 'Episode one' },
    { name: 'file', filename: 'ep1.ogg', value: Buffer.alloc(20_000, 7) },
  ]);
  const item = (
    await s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      payload: published.payload,
      headers: { ...published.headers, ...ada },
    })
  ).json();
  const moveTo = (channel: string | null) => call('PATCH', `/api/v1/items/${item.id}`, ada, { channel });
  const intoBobs = await moveTo('bobs');
  assert.equal(intoBobs.statusCode, 403);
  assert.match(errorOf(intoBobs), /channel: /);
  assert.equal((await moveTo('harbour-talks')).statusCode, 200);
  assert.equal((await s.site.items.get(item.id))?.channelId, one.id);

  // Follow, and the subscriptions list; unfollow.
  const follow = await call('PUT', `${url}/follow`, bob);
  assert.equal(follow.statusCode, 200, follow.body);
  assert.deepEqual(follow.json(), { name: 'harbour-talks', following: true, followers: 1 });
  assert.equal((await call('PUT', `${url}/follow`, bob)).json().followers, 1);
  assert.equal((await call('PUT', '/api/v1/channels/nope-nope/follow', bob)).statusCode, 404);
  assert.equal((await call('GET', '/api/v1/subscriptions')).statusCode, 401);
  const subs = (await call('GET', '/api/v1/subscriptions', bob)).json();
  assert.deepEqual(
    subs.items.map((i: { title: string }) => i.title),
    ['Episode one'],
  );
  assert.deepEqual(
    subs.channels.map((c: { name: string }) => c.name),
    ['harbour-talks'],
  );
  assert.equal((await call('DELETE', `${url}/follow`, bob)).json().following, false);
  assert.deepEqual((await call('GET', '/api/v1/subscriptions', bob)).json().items, []);

  // Delete: the item stays without a channel; the images go; the name is free again.
  assert.equal((await call('DELETE', url, ada)).statusCode, 204);
  assert.equal((await call('GET', url)).statusCode, 404);
  assert.equal((await s.site.items.get(item.id))?.channelId, null);
  assert.deepEqual(
    s.files().filter((f) => f.includes('channels/')),
    [],
  );
  assert.equal((await moveTo(null)).statusCode, 200);

  // Creating channels is limited per account (4 an hour here: 2 made by ada/bob so far).
  const statuses: number[] = [];
  for (let n = 0; n < 5; n++)
    statuses.push(
      (await call('POST', '/api/v1/channels', ada, { name: `more-${n}`, title: 'More' })).statusCode,
    );
  assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
});
