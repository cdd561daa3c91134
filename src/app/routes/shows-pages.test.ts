import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssFeed, startPodcastHost } from '../../../test/aggregator-fixtures.js';
import { appKit, episode, form, until } from '../../../test/helpers/app-kit.js';
import { feedId, loadState } from '../../aggregator/index.js';
import { showsRoutes } from './shows.js';

describe('the shows pages', () => {
  it('add by the form (303 to the show), settings, unsubscribe with a confirmation', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const host = await startPodcastHost(t);
    host.set('/f.xml', { body: rssFeed('Form Show', [episode(host.url, 1), episode(host.url, 2)]) });
    const html: Record<string, string> = {
      ...h.headers,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    };
    const { 'x-csrf-token': _, ...page } = html;
    const csrf = h.ctx.secret.csrf;

    const add = (await h.app.inject({ url: '/add', headers: page })).body;
    for (const hook of [
      'form id="add-show"',
      'name="url"',
      'form id="import-opml"',
      'name="opml"',
      'name="opml_text"',
      'href="/shows.opml"',
    ])
      assert.ok(add.includes(hook), hook);

    const bad = await h.app.inject({
      method: 'POST',
      url: '/add',
      headers: page,
      payload: form({ _csrf: csrf, url: `${host.url}/nothing` }),
    });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /class="field-error"[^>]*>[^<]*HTTP 404/);
    assert.ok(bad.body.includes(`value="${host.url}/nothing"`), 'what was typed is kept');

    const posted = await h.app.inject({
      method: 'POST',
      url: '/add',
      headers: page,
      payload: form({ _csrf: csrf, url: `${host.url}/f.xml` }),
    });
    const id = feedId(`${host.url}/f.xml`);
    assert.equal(posted.statusCode, 303, posted.body);
    assert.equal(posted.headers.location, `/shows/${id}?done=added`);

    const shows = (await h.app.inject({ url: '/', headers: page })).body;
    assert.match(shows, new RegExp(`<ul class="show-list" id="shows"><li class="show" data-show-id="${id}"`));
    assert.match(shows, /<a href="\/shows\/[0-9a-f]{10}">Form Show<\/a>/);
    await until('the episodes', () => h.ctx.aggregator.state.downloads.length === 2);
    const show = (await h.app.inject({ url: `/shows/${id}`, headers: page })).body;
    for (const hook of [
      '<h1 id="show-title">Form Show</h1>',
      'id="show-settings"',
      'name="keepLast"',
      'name="autoDownload"',
      'name="httpFallback"',
      'form id="refresh"',
      'form id="unsubscribe"',
      'id="episodes"',
    ])
      assert.ok(show.includes(hook), hook);
    assert.ok(show.indexOf('Episode 1') < show.indexOf('Episode 2'), 'newest first');

    const saved = await h.app.inject({
      method: 'POST',
      url: `/shows/${id}/settings`,
      headers: page,
      payload: form({ _csrf: csrf, keepLast: '4', httpFallback: 'false' }),
    });
    assert.equal(saved.statusCode, 303);
    assert.deepEqual(h.ctx.aggregator.state.feeds[0]?.options, {
      recent: 3,
      autoDownload: false,
      keepLast: 4,
      httpFallback: false,
    });
    const again = (await h.app.inject({ url: `/shows/${id}?done=saved`, headers: page })).body;
    assert.match(again, /id="f-httpFallback-off" name="httpFallback" value="false" checked/);
    assert.match(again, /Settings saved/);

    const ask = await h.app.inject({
      method: 'POST',
      url: `/shows/${id}/unsubscribe`,
      headers: page,
      payload: form({ _csrf: csrf }),
    });
    assert.equal(ask.statusCode, 200);
    assert.match(ask.body, /form id="unsubscribe-confirm"/);
    assert.equal(h.ctx.aggregator.state.feeds.length, 1, 'not without the confirmation');
    const done = await h.app.inject({
      method: 'POST',
      url: `/shows/${id}/unsubscribe`,
      headers: page,
      payload: form({ _csrf: csrf, confirm: 'yes' }),
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/?done=unsubscribed');
    assert.equal(h.ctx.aggregator.state.feeds.length, 0);
    assert.equal((await loadState(h.home)).feeds.length, 0);
    assert.equal((await h.app.inject({ url: `/shows/${id}`, headers: page })).statusCode, 404);
  });

  it('imports an OPML file from the multipart form (its token in the query)', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const host = await startPodcastHost(t);
    host.set('/one.xml', { body: rssFeed('One', []) });
    host.set('/two.xml', { body: rssFeed('Two', []) });
    const opml = `<opml version="2.0"><body><outline xmlUrl="${host.url}/one.xml"/><outline xmlUrl="${host.url}/two.xml"/></body></opml>`;
    const body = new FormData();
    body.append('opml', new Blob([opml], { type: 'text/x-opml' }), 'shows.opml');
    body.append('opml_text', '');
    const request = new Request('http://x/', { method: 'POST', body });
    const payload = Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {
      ...h.headers,
      accept: 'text/html',
      'content-type': request.headers.get('content-type') ?? '',
    };
    const { 'x-csrf-token': _, ...noHeaderToken } = headers;
    const refused = await h.app.inject({ method: 'POST', url: '/add/opml', headers: noHeaderToken, payload });
    assert.equal(refused.statusCode, 403);
    const res = await h.app.inject({
      method: 'POST',
      url: `/add/opml?_csrf=${encodeURIComponent(h.ctx.secret.csrf)}`,
      headers: noHeaderToken,
      payload,
    });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/?done=imported&n=2');
    assert.deepEqual(
      h.ctx.aggregator.state.feeds.map((f) => f.url),
      [`${host.url}/one.xml`, `${host.url}/two.xml`],
    );
    const notice = (await h.app.inject({ url: '/?done=imported&n=2', headers: noHeaderToken })).body;
    assert.match(notice, /Imported 2 new shows/);

    const text = new FormData();
    text.append('opml_text', '<opml><body><outline');
    const r2 = new Request('http://x/', { method: 'POST', body: text });
    const bad = await h.app.inject({
      method: 'POST',
      url: `/add/opml?_csrf=${encodeURIComponent(h.ctx.secret.csrf)}`,
      headers: { ...noHeaderToken, 'content-type': r2.headers.get('content-type') ?? '' },
      payload: Buffer.from(await r2.arrayBuffer()),
    });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="f-opml-error"/);
  });
});
