/**
 * Comment abuse and moderation through the real app (`app.inject()`, real services on SQLite):
 * a 400-deep reply chain renders at most 5 levels deep on the item page and every comment is
 * reachable through its "Older comments" links; 2,100 comments are all reachable through the API's
 * pages (no 2,000 cap); authors edit and delete their own comments (403 for others), a deleted
 * comment with replies stays as "[deleted]", admins delete anyone's; a disabled account cannot log
 * in, its token and session stop working and it cannot post, until it is enabled again; and every
 * moderation action lands in the audit log (admins only).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPagesSite } from '../../../test/pages-fixtures.js';
import { login, type TestSite } from '../../../test/site-fixtures.js';
import type { CommunityRepository } from '../../catalog/index.js';

async function readyItem(s: TestSite, title: string) {
  const owner = (await s.site.users.byName('root'))!;
  return s.site.items.create({
    ownerId: owner.id,
    title,
    files: [{ path: `${title}.bin`, length: 1 }],
    status: 'ready',
  });
}

/** The deepest nesting of `<li>` elements in the page's comment list. */
function liDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(/<(\/?)li[\s>]/g)) {
    depth += m[1] ? -1 : 1;
    max = Math.max(max, depth);
  }
  return max;
}

test('a deep reply chain renders at most 5 levels deep, and every comment is reachable', async (t) => {
  const s = await openPagesSite(t);
  await login(s.app, 'root');
  const ada = (await s.site.users.byName('root'))!;
  const community = s.site.community as CommunityRepository;
  const item = await readyItem(s, 'deep');
  const chain: number[] = [];
  for (let i = 0; i < 400; i++) {
    const parentId = chain.at(-1) ?? null;
    chain.push((await community.addComment({ itemId: item.id, userId: ada.id, parentId, body: `c${i}` })).id);
  }
  const seen: number[] = [];
  let url: string | undefined = `/items/${item.id}`;
  let pages = 0;
  while (url !== undefined && pages < 50) {
    const res: { statusCode: number; body: string } = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200);
    const list: string = res.body.slice(res.body.indexOf('<div class="comment-thread">'));
    assert.ok(liDepth(list) <= 5, `page ${pages + 1} nests ${liDepth(list)} deep`);
    for (const m of list.matchAll(/<li class="comment[^"]*" id="comment-(\d+)"/g)) seen.push(Number(m[1]));
    const older = /<a href="([^"]+)" rel="next" id="older-comments">/.exec(list);
    url = older ? older[1]!.replace(/&amp;/g, '&').replace(/#.*$/, '') : undefined;
    pages++;
  }
  assert.deepEqual(seen, chain, 'every comment once, in reply order');
  assert.equal(pages, 8, '50 comments a page');
  const page = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.match(page.body, /in reply to <a href="#comment-\d+">@root<\/a>/, 'flat past level 5 says whom');

  // 2,100 top-level comments: all of them through the API's pages (the old list stopped at 2,000).
  const many = await readyItem(s, 'many');
  const ids = new Set<number>();
  for (let i = 0; i < 2100; i++)
    ids.add((await community.addComment({ itemId: many.id, userId: ada.id, parentId: null, body: 'x' })).id);
  const got: number[] = [];
  let after: string | null = null;
  do {
    const query: string = after === null ? '?limit=100' : `?limit=100&after=${after}`;
    const res = await s.app.inject({ url: `/api/v1/items/${many.id}/comments${query}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.total, 2100);
    got.push(...body.comments.map((c: { id: number }) => c.id));
    after = body.next;
  } while (after !== null && got.length <= 2100);
  assert.equal(got.length, 2100);
  assert.deepEqual(new Set(got), ids);
  assert.deepEqual(got.slice(0, 3), [...ids].slice(-3).reverse(), 'newest first');
  assert.equal(
    (await s.app.inject({ url: `/api/v1/items/${many.id}/comments?after=x` })).statusCode,
    400,
    'a bad cursor is a 400',
  );
});

test('authors edit and delete their comments, others get 403, admins delete any; all audited', async (t) => {
  const s = await openPagesSite(t);
  const root = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const item = await readyItem(s, 'talk');
  const url = `/api/v1/items/${item.id}/comments`;
  const post = async (headers: Record<string, string>, body: string, parentId?: number) => {
    const res = await s.app.inject({ method: 'POST', url, headers, payload: { body, parentId } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as number;
  };
  const first = await post(ada, 'first');
  const reply = await post(bob, 'a reply', first);
  const leaf = await post(ada, 'a leaf');
  const rude = await post(bob, 'something rude');
  const call = (method: 'PATCH' | 'DELETE', id: number, headers: Record<string, string>, rest = {}) =>
    s.app.inject({ method, url: `${url}/${id}`, headers, ...rest });

  assert.equal((await call('PATCH', first, bob, { payload: { body: 'hacked' } })).statusCode, 403);
  assert.equal((await call('PATCH', first, root, { payload: { body: 'admin edit' } })).statusCode, 403);
  assert.equal((await call('DELETE', first, bob)).statusCode, 403);
  assert.equal((await call('PATCH', first, {}, { payload: { body: 'x' } })).statusCode, 401);
  assert.equal((await call('PATCH', 99_999, ada, { payload: { body: 'x' } })).statusCode, 404);
  const edited = await call('PATCH', first, ada, { payload: { body: 'first, edited' } });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal((await call('DELETE', first, ada)).json().kept, true, 'it has a reply: kept as [deleted]');
  assert.equal((await call('DELETE', leaf, ada)).json().kept, false);
  const removed = await call('DELETE', rude, root, { query: { reason: 'insults' } });
  assert.equal(removed.statusCode, 200, removed.body);
  assert.equal((await call('DELETE', rude, root)).statusCode, 404, 'already gone');

  const thread = (await s.app.inject({ url })).json().comments as {
    id: number;
    author: string | null;
    body: string;
    deleted: boolean;
  }[];
  assert.deepEqual(
    thread.map((c) => [c.id, c.author, c.body, c.deleted]),
    [
      [first, null, '', true],
      [reply, 'bob', 'a reply', false],
    ],
  );
  const page = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.match(page.body, /<li class="comment deleted" id="comment-\d+">.*\[deleted\].*a reply/s);

  // Edited comments say so on the page.
  const again = await post(bob, 'typo');
  await call('PATCH', again, bob, { payload: { body: 'fixed' } });
  assert.match(
    (await s.app.inject({ method: 'GET', url: `/items/${item.id}` })).body,
    new RegExp(`id="comment-${again}">.*· edited.*<p>fixed</p>`, 's'),
  );

  const audit = await s.app.inject({ url: '/api/v1/admin/audit', headers: root });
  assert.equal(audit.statusCode, 200, audit.body);
  assert.deepEqual(
    audit
      .json()
      .entries.map((e: { actor: string; action: string; targetId: number; reason: string }) => [
        e.actor,
        e.action,
        e.targetId,
        e.reason,
      ]),
    [['root', 'comment.delete', rude, 'insults']],
    'only the moderator deletion is a moderation action',
  );
  assert.match(audit.json().entries[0].target, /by bob: something rude/);
  assert.equal((await s.app.inject({ url: '/api/v1/admin/audit', headers: ada })).statusCode, 403);
  assert.equal((await s.app.inject({ url: '/api/v1/admin/audit' })).statusCode, 401);
});

test('a disabled account cannot log in, use its token or session, or post; enabling restores it', async (t) => {
  const s = await openPagesSite(t);
  const root = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const mallory = await login(s.app, 'mallory');
  const item = await readyItem(s, 'target');
  const url = `/api/v1/items/${item.id}/comments`;
  const malloryId = (await s.site.users.byName('mallory'))!.id;
  const { cookie } = await s.site.sessions.create(malloryId);
  const session = { cookie: `sc_session=${cookie}` };
  const tokenLogin = () =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { username: 'mallory', password: 'correct horse' },
    });
  const spam = () => s.app.inject({ method: 'POST', url, headers: mallory, payload: { body: 'spam' } });
  assert.equal((await spam()).statusCode, 201);

  const disable = (headers: Record<string, string>, name: string, payload: object = {}) =>
    s.app.inject({ method: 'POST', url: `/api/v1/admin/users/${name}/disable`, headers, payload });
  assert.equal((await disable(ada, 'mallory')).statusCode, 403, 'admins only');
  assert.equal((await disable(root, 'root')).statusCode, 403, 'admins cannot be disabled');
  assert.equal((await disable(root, 'nobody')).statusCode, 404);
  const done = await disable(root, 'Mallory', { reason: 'spam wave' });
  assert.equal(done.statusCode, 200, done.body);
  assert.deepEqual(done.json(), { username: 'mallory', disabled: true });

  assert.equal((await tokenLogin()).statusCode, 401, 'login refused');
  assert.equal((await spam()).statusCode, 401, 'token refused, nothing posted');
  const page = await s.app.inject({ method: 'GET', url: `/items/${item.id}`, headers: session });
  assert.doesNotMatch(page.body, /id="comment-form"/, 'the session is gone');
  const formPost = await s.app.inject({
    method: 'POST',
    url: `/items/${item.id}/comments`,
    headers: { ...session, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'body=spam',
  });
  assert.equal(formPost.statusCode, 303);
  assert.match(String(formPost.headers.location), /^\/login/);
  const listed = await s.app.inject({ url: '/api/v1/admin/users/disabled', headers: root });
  assert.deepEqual(
    listed.json().users.map((u: { username: string }) => u.username),
    ['mallory'],
  );
  assert.equal((await s.app.inject({ url, headers: root })).json().total, 1, 'only the first post');
  const page2 = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.equal(page2.statusCode, 200, 'items and comments stay');

  const enabled = await s.app.inject({
    method: 'POST',
    url: '/api/v1/admin/users/mallory/enable',
    headers: root,
  });
  assert.deepEqual(enabled.json(), { username: 'mallory', disabled: false });
  assert.equal((await tokenLogin()).statusCode, 201, 'login works again');
  assert.equal((await spam()).statusCode, 201, 'the old token works again');

  const audit = (await s.app.inject({ url: '/api/v1/admin/audit', headers: root })).json();
  assert.deepEqual(
    audit.entries.map((e: { action: string; target: string; reason: string }) => [
      e.action,
      e.target,
      e.reason,
    ]),
    [
      ['user.enable', 'mallory', ''],
      ['user.disable', 'mallory', 'spam wave'],
    ],
  );
});

test('takedowns and restores through the API are audited like the admin page', async (t) => {
  const s = await openPagesSite(t);
  const root = await login(s.app, 'root');
  const item = await readyItem(s, 'disputed');
  const down = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${item.id}/takedown`,
    headers: root,
    payload: { reason: 'DMCA notice 42' },
  });
  assert.equal(down.statusCode, 200, down.body);
  const again = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${item.id}/takedown`,
    headers: root,
    payload: { reason: 'twice' },
  });
  assert.equal(again.statusCode, 404, 'an item already down is not taken down twice');
  const up = await s.app.inject({
    method: 'DELETE',
    url: `/api/v1/items/${item.id}/takedown`,
    headers: root,
  });
  assert.equal(up.statusCode, 200, up.body);
  const audit = (await s.app.inject({ url: '/api/v1/admin/audit', headers: root })).json();
  assert.deepEqual(
    audit.entries.map((e: { action: string; target: string; reason: string }) => [
      e.action,
      e.target,
      e.reason,
    ]),
    [
      ['item.restore', 'disputed', ''],
      ['item.takedown', 'disputed', 'DMCA notice 42'],
    ],
  );
});
