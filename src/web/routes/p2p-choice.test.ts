/**
 * Viewers choose, through `app.inject()` on a real SQLite site (issue 17): the item page's `#player`
 * carries the server's resolution (`?p2p=0` forced off, else the account's choice, else the site's
 * default) with the notice and the `#p2p-toggle`; the embed too; an account sets its choice on its
 * page (CSRF) and through the API; an admin sets the site's default (CSRF; others refused). The
 * player's report (the beacon) answers 204, is validated, counted as browser-peer bytes and
 * rate-limited per client.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addItem } from '../../../test/pages-fixtures.js';
import { login, multipart, openTestSite, type TestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';
import type { LimitOverrides } from '../../web/limits.js';

async function openSite(t: { after(fn: () => unknown): void }, limits?: LimitOverrides): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-p2p-choice-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db, limits ? { limits } : {});
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

async function sessionFor(s: TestSite, username: string) {
  await login(s.app, username);
  const user = (await s.site.users.byName(username))!;
  const { cookie } = await s.site.sessions.create(user.id);
  const page = await s.app.inject({ method: 'GET', url: '/', headers: { cookie: `sc_session=${cookie}` } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
  return { cookie: `sc_session=${cookie}`, csrf };
}

const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded',
  payload: new URLSearchParams(fields).toString(),
});

async function post(s: TestSite, url: string, who: { cookie: string }, fields: Record<string, string>) {
  const { payload, ...headers } = form(fields);
  return s.app.inject({ method: 'POST', url, headers: { ...headers, cookie: who.cookie }, payload });
}

/** The player container's opening tag, the toggle's tag and whether the notice is there. */
async function playerOf(s: TestSite, url: string, cookie?: string) {
  const res = await s.app.inject({ url, headers: cookie ? { cookie } : {} });
  assert.equal(res.statusCode, 200, res.body);
  const player = /<div class="player [^"]*" id="player"[^>]*>/.exec(res.body)?.[0] ?? '';
  const toggle = /<input type="checkbox" id="p2p-toggle"[^>]*>/.exec(res.body)?.[0] ?? '';
  return { player, toggle, body: res.body };
}

test('the item page resolves P2P: site default, ?p2p=0 forced off, the account choice, the admin default', async (t) => {
  const s = await openSite(t);
  const admin = await sessionFor(s, 'root'); // the first account is the admin
  const viewer = await sessionFor(s, 'viewer');
  const item = await addItem(s);
  const page = `/items/${item.id}`;

  // Nobody chose: the site's default (on).
  let p = await playerOf(s, page);
  assert.match(p.player, /data-p2p="on"/);
  assert.doesNotMatch(p.player, /data-p2p-forced/);
  assert.match(p.toggle, /checked/);
  assert.doesNotMatch(p.toggle, /disabled/);
  assert.match(p.body, /Playing through the swarm shares your IP address with other viewers/);
  assert.match(p.body, /<details id="p2p-explained">/);

  // ?p2p=0: off and forced, the toggle disabled.
  p = await playerOf(s, `${page}?p2p=0`);
  assert.match(p.player, /data-p2p="off"/);
  assert.match(p.player, /data-p2p-forced="1"/);
  assert.match(p.toggle, /disabled/);
  assert.doesNotMatch(p.toggle, /checked/);

  // An account's choice: off on a site that defaults to on.
  assert.equal((await post(s, '/account/p2p', viewer, { p2p: 'off' })).statusCode, 403, 'no CSRF field');
  const saved = await post(s, '/account/p2p', viewer, { _csrf: viewer.csrf, p2p: 'off' });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, '/account?p2p=saved');
  assert.match((await playerOf(s, page, viewer.cookie)).player, /data-p2p="off"/);
  assert.match((await playerOf(s, page)).player, /data-p2p="on"/, 'others keep the default');
  const account = await s.app.inject({ url: '/account', headers: { cookie: viewer.cookie } });
  assert.match(account.body, /<input type="radio" name="p2p" value="off" checked>/);

  // The admin's default: off for everyone who did not choose; refused without CSRF and to others.
  assert.equal((await post(s, '/admin/p2p', admin, { p2p: 'off' })).statusCode, 403);
  assert.equal((await post(s, '/admin/p2p', viewer, { _csrf: viewer.csrf, p2p: 'off' })).statusCode, 403);
  assert.equal((await post(s, '/admin/p2p', admin, { _csrf: admin.csrf, p2p: 'maybe' })).statusCode, 400);
  const set = await post(s, '/admin/p2p', admin, { _csrf: admin.csrf, p2p: 'off' });
  assert.equal(set.statusCode, 303);
  assert.equal(set.headers.location, '/admin?done=p2p');
  const adminPage = await s.app.inject({ url: '/admin', headers: { cookie: admin.cookie } });
  assert.match(adminPage.body, /<input type="radio" name="p2p" value="off" checked>/);
  p = await playerOf(s, page);
  assert.match(p.player, /data-p2p="off"/);
  assert.doesNotMatch(p.toggle, /checked/);

  // An account that chose on plays through the swarm on an off site; ?p2p=0 still wins.
  await post(s, '/account/p2p', viewer, { _csrf: viewer.csrf, p2p: 'on' });
  assert.match((await playerOf(s, page, viewer.cookie)).player, /data-p2p="on"/);
  assert.match((await playerOf(s, `${page}?p2p=0`, viewer.cookie)).player, /data-p2p-forced="1"/);
  // Back to the site's default.
  await post(s, '/account/p2p', viewer, { _csrf: viewer.csrf, p2p: 'default' });
  assert.match((await playerOf(s, page, viewer.cookie)).player, /data-p2p="off"/);
});

test('the embed carries the site default, and ?p2p=0 forces it off', async (t) => {
  const s = await openSite(t);
  const item = await addItem(s);
  const plain = await s.app.inject({ url: `/items/${item.id}/embed` });
  assert.match(plain.body, /<div id="player" data-p2p="on">/);
  const forced = await s.app.inject({ url: `/items/${item.id}/embed?p2p=0` });
  assert.match(forced.body, /<div id="player" data-p2p="off" data-p2p-forced="1">/);
});

test('an account reads and sets its P2P choice through the API', async (t) => {
  const s = await openSite(t);
  const auth = await login(s.app, 'ada');
  const read = await s.app.inject({ url: '/api/v1/account/p2p', headers: auth });
  assert.equal(read.statusCode, 200);
  assert.deepEqual(read.json(), { p2p: 'default', siteDefault: 'on', effective: 'on' });
  const put = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/account/p2p',
    headers: auth,
    payload: { p2p: 'off' },
  });
  assert.deepEqual(put.json(), { p2p: 'off', siteDefault: 'on', effective: 'off' });
  const bad = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/account/p2p',
    headers: auth,
    payload: { p2p: 'x' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal((await s.app.inject({ url: '/api/v1/account/p2p' })).statusCode, 401);
});

test('the beacon answers 204, counts browser-peer bytes, refuses bad reports and is rate-limited per client', async (t) => {
  const s = await openSite(t, { actions: { 'p2p-reports': { max: 4, timeWindow: 60_000 } } });
  const item = await addItem(s);
  const url = `/api/v1/items/${item.id}/p2p-report`;
  const report = (payload: unknown, ip = '203.0.113.7') =>
    s.app.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const ok = await report({ fromPeers: 5000, fromWebSeed: 100, toPeers: 7000 });
  assert.equal(ok.statusCode, 204);
  assert.equal(ok.body, '');
  await report({ fromPeers: 1000, fromWebSeed: 0, toPeers: 0 });
  const traffic = (await s.app.inject({ url: `/api/v1/items/${item.id}` })).json().traffic;
  assert.equal(traffic.browserPeers, 6000, 'fromPeers only: the site counts its web seed itself');
  await report({ fromPeers: 10 * 1024 ** 3, fromWebSeed: 0, toPeers: 0 });
  const capped = (await s.app.inject({ url: `/api/v1/items/${item.id}` })).json().traffic;
  assert.equal(capped.browserPeers, 6000 + item.totalLength, 'at most one copy per report');
  assert.equal(traffic.webSeed, 0);

  for (const bad of [
    { fromPeers: -1, fromWebSeed: 0, toPeers: 0 },
    { fromPeers: 10 * 1024 ** 3 + 1, fromWebSeed: 0, toPeers: 0 },
    { fromPeers: 1.5, fromWebSeed: 0, toPeers: 0 },
    { fromPeers: 'many', fromWebSeed: 0, toPeers: 0 },
    { fromWebSeed: 0, toPeers: 0 },
  ])
    assert.equal((await report(bad, '198.51.100.1')).statusCode, 400, JSON.stringify(bad));
  const unknown = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items/999999/p2p-report',
    remoteAddress: '198.51.100.2',
    payload: { fromPeers: 1, fromWebSeed: 0, toPeers: 0 },
  });
  assert.equal(unknown.statusCode, 404);

  // Four a minute from 203.0.113.7: three used above, one more, then 429; another client is not affected.
  assert.equal((await report({ fromPeers: 1, fromWebSeed: 0, toPeers: 0 })).statusCode, 204);
  const limited = await report({ fromPeers: 1, fromWebSeed: 0, toPeers: 0 });
  assert.equal(limited.statusCode, 429);
  assert.ok(limited.headers['retry-after']);
  assert.equal((await report({ fromPeers: 1, fromWebSeed: 0, toPeers: 0 }, '192.0.2.9')).statusCode, 204);
});

test("the P2P player's fallback is never deferred to the swarm, and each request lands in its channel", async (t) => {
  const s = await openSite(t);
  const auth = await login(s.app, 'ada');
  const clip = Buffer.alloc(50_000, 7);
  const body = multipart([
    { name: 'title', value: 'Clip' },
    { name: 'file', filename: 'clip.webm', value: clip },
  ]);
  const created = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...auth },
    payload: body.payload,
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id } = created.json();
  const url = `/items/${id}/files/clip.webm`;
  // The site's peer says: defer every bounded range to the swarm.
  s.site.seeding.admitWebSeed = () => ({ serve: false, retryAfter: 10, reason: 'test', release: () => {} });
  const libtorrent = await s.app.inject({
    url,
    headers: { range: 'bytes=0-16383', 'user-agent': 'libtorrent/2.0.8.0' },
  });
  assert.equal(libtorrent.statusCode, 503, 'a BitTorrent client is sent to the swarm');
  const player = await s.app.inject({
    url,
    headers: { range: 'bytes=0-16383', 'x-seedcast-player': 'p2p', 'user-agent': 'Mozilla/5.0' },
  });
  assert.equal(player.statusCode, 206, "the P2P player's fallback is served");
  assert.equal(player.rawPayload.length, 16384);
  await s.app.inject({ url, headers: { range: 'bytes=0-', 'sec-fetch-dest': 'video' } });
  await s.app.inject({ url, headers: { 'sec-fetch-dest': 'document' } });
  await new Promise((r) => setTimeout(r, 50));
  const traffic = (await s.app.inject({ url: `/api/v1/items/${id}` })).json().traffic;
  assert.equal(traffic.webSeed, 16384);
  assert.equal(traffic.httpPlayer, clip.length);
  assert.equal(traffic.httpDownload, clip.length);
});
