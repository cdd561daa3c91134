import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssFeed, startPodcastHost } from '../../../test/aggregator-fixtures.js';
import { appKit, episode, until } from '../../../test/helpers/app-kit.js';
import { feedId, loadState, subscribe, unsubscribe, updateState } from '../../aggregator/index.js';
import { showsRoutes } from './shows.js';

describe('the shows API', () => {
  it('follows a feed URL and a page URL (its <link rel="alternate">), polls at once, lists them', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const host = await startPodcastHost(t);
    host.set('/a.xml', { body: rssFeed('Show A', [episode(host.url, 1), episode(host.url, 2)]) });
    host.set('/b.rss', { type: 'application/rss+xml', body: rssFeed('Show B', [episode(host.url, 3)]) });
    host.set('/b/', {
      type: 'text/html',
      body: '<html><head><link rel="alternate" type="application/rss+xml" href="../b.rss"></head></html>',
    });
    const a = await h.app.inject({
      method: 'POST',
      url: '/api/shows',
      headers: h.headers,
      payload: { url: `${host.url}/a.xml` },
    });
    assert.equal(a.statusCode, 201, a.body);
    assert.deepEqual(
      { ...a.json().show, lastPolledAt: null, nextPollAt: null },
      {
        id: feedId(`${host.url}/a.xml`),
        url: `${host.url}/a.xml`,
        title: 'Show A',
        error: null,
        newCount: a.json().show.newCount,
        episodes: a.json().show.episodes,
        options: { recent: 3, autoDownload: true, keepLast: 0, httpFallback: true },
        description: null,
        image: null,
        htmlUrl: 'http://example.com/',
        lastPolledAt: null,
        nextPollAt: null,
      },
    );
    const b = await h.app.inject({
      method: 'POST',
      url: '/api/shows',
      headers: h.headers,
      payload: { url: `${host.url}/b/` },
    });
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.json().show.url, `${host.url}/b.rss`);
    // The first poll ran (both feeds are fast): titles and episodes are there.
    const list = await until('both shows polled', async () => {
      const shows = (await h.app.inject({ url: '/api/shows', headers: h.headers })).json().shows;
      return shows.every((s: { episodes: number }) => s.episodes > 0) && shows;
    });
    assert.deepEqual(
      list.map((s: { title: string; episodes: number }) => [s.title, s.episodes]),
      [
        ['Show A', 2],
        ['Show B', 1],
      ],
    );
    // Following again is no error: 200 and the same show.
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/shows',
      headers: h.headers,
      payload: { url: `${host.url}/a.xml` },
    });
    assert.equal(again.statusCode, 200);
    assert.equal((await loadState(h.home)).feeds.length, 2, 'written to state.json for the CLI');
  });

  it('says why a URL cannot be followed, and subscribes nothing', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const host = await startPodcastHost(t);
    host.set('/page', { type: 'text/html', body: '<html><head><title>x</title></head><body></body></html>' });
    const cases: [string, number, string][] = [
      [`${host.url}/page`, 422, 'AGGREGATOR_NO_FEED_LINK'],
      [`${host.url}/missing`, 422, 'AGGREGATOR_UNREACHABLE'],
      ['mailto:someone@example.org', 400, 'USAGE'],
    ];
    for (const [url, status, code] of cases) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/shows',
        headers: h.headers,
        payload: { url },
      });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code);
    }
    assert.match(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/shows',
          headers: h.headers,
          payload: { url: `${host.url}/missing` },
        })
      ).json().error.message,
      /HTTP 404/,
    );
    assert.equal((await loadState(h.home)).feeds.length, 0);
    // Without the CSRF token: refused.
    const { 'x-csrf-token': _, ...noToken } = h.headers;
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/shows',
      headers: noToken,
      payload: { url: `${host.url}/x` },
    });
    assert.equal(refused.statusCode, 403);
  });

  it('changes options, refreshes, imports and exports OPML, unsubscribes; a broken feed shows its error', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const host = await startPodcastHost(t);
    host.set('/good.xml', { body: rssFeed('Good', [episode(host.url, 1)]) });
    host.set('/junk.xml', { body: 'this is not a feed' });
    const opml = `<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline type="rss" text="Good" xmlUrl="${host.url}/good.xml"/>
      <outline type="rss" text="Junk" xmlUrl="${host.url}/junk.xml"/>
      <outline type="rss" text="Gone" xmlUrl="${host.url}/gone.xml"/></body></opml>`;
    const imported = await h.app.inject({
      method: 'POST',
      url: '/api/shows/import',
      headers: { ...h.headers, 'content-type': 'text/x-opml' },
      payload: opml,
    });
    assert.equal(imported.statusCode, 200, imported.body);
    assert.deepEqual(imported.json(), { added: 3 });
    const shows = await until('three polls', async () => {
      const list = (await h.app.inject({ url: '/api/shows', headers: h.headers })).json().shows;
      return list.every((s: { lastPolledAt: string | null }) => s.lastPolledAt) && list;
    });
    const byTitle = Object.fromEntries(shows.map((s: { title: string }) => [s.title, s]));
    assert.equal(byTitle.Good.error, null);
    assert.equal(byTitle.Good.episodes, 1);
    assert.match(byTitle.Junk.error, /neither XML nor JSON|not/i);
    assert.match(byTitle.Gone.error, /HTTP 404/);
    const page = (await h.app.inject({ url: '/', headers: { ...h.headers, accept: 'text/html' } })).body;
    assert.equal(page.match(/<li class="show"/g)?.length, 3);
    assert.equal(page.match(/class="show-error"/g)?.length, 2);

    const good = byTitle.Good;
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/shows/${good.id}`,
      headers: h.headers,
      payload: { keepLast: 5, autoDownload: false, httpFallback: false },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json().show.options, {
      recent: 3,
      autoDownload: false,
      keepLast: 5,
      httpFallback: false,
    });
    const disk = await loadState(h.home);
    assert.deepEqual(disk.feeds.find((f) => f.url === good.url)?.options, patched.json().show.options);
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `/api/shows/${good.id}`,
      headers: h.headers,
      payload: { keepLast: -1 },
    });
    assert.equal(bad.statusCode, 400);

    host.set('/gone.xml', { body: rssFeed('Back', []) });
    const refreshed = await h.app.inject({
      method: 'POST',
      url: `/api/shows/${byTitle.Gone.id}/refresh`,
      headers: h.headers,
    });
    assert.equal(refreshed.statusCode, 200);
    assert.equal(refreshed.json().show.error, null);
    assert.equal(refreshed.json().show.title, 'Back');

    const exported = await h.app.inject({ url: '/shows.opml', headers: h.headers });
    assert.match(exported.headers['content-type'] as string, /text\/x-opml/);
    for (const name of ['good', 'junk', 'gone']) assert.ok(exported.body.includes(`${host.url}/${name}.xml`));

    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/api/shows/${byTitle.Junk.id}`,
      headers: h.headers,
    });
    assert.equal(removed.statusCode, 200);
    assert.deepEqual((await loadState(h.home)).feeds.map((f) => f.url).sort(), [
      `${host.url}/gone.xml`,
      `${host.url}/good.xml`,
    ]);
    const missing = await h.app.inject({
      method: 'DELETE',
      url: `/api/shows/${byTitle.Junk.id}`,
      headers: h.headers,
    });
    assert.equal(missing.statusCode, 404);
  });
});

describe('the app and the CLI', () => {
  it('the shows list takes in what the CLI wrote to state.json at once', async (t) => {
    const h = await appKit(t, [showsRoutes]);
    const url = 'http://127.0.0.1:9/cli.xml';
    await updateState(h.home, (state) => subscribe(state, url, { keepLast: 7 })); // as `seedcast subscribe` does
    const shows = (await h.app.inject({ url: '/api/shows', headers: h.headers })).json().shows;
    assert.deepEqual(
      shows.map((s: { url: string; options: { keepLast: number } }) => [s.url, s.options.keepLast]),
      [[url, 7]],
    );
    await new Promise((r) => setTimeout(r, 1100)); // looked at most once a second
    await updateState(h.home, (state) => unsubscribe(state, url));
    const page = (await h.app.inject({ url: '/', headers: { ...h.headers, accept: 'text/html' } })).body;
    assert.ok(page.includes('id="no-shows"'));
    assert.equal(h.ctx.aggregator.state.feeds.length, 0);
  });
});
