import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { rssFeed, startPodcastHost } from '../../../test/aggregator-fixtures.js';
import { appKit } from '../../../test/helpers/app-kit.js';
import { feedId, loadState, saveState, subscribe } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';
import { episodesRoutes } from './episodes.js';
import { statusRoutes } from './status.js';

interface Setup {
  host: Awaited<ReturnType<typeof startPodcastHost>>;
  app: FastifyInstance;
  ctx: AppContext;
  feedUrl: string;
  cookie: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers
  api(method: 'GET' | 'POST', url: string): Promise<any>;
}

async function setup(t: TestContext): Promise<Setup> {
  const host = await startPodcastHost(t);
  const items = [1, 2, 3].map((n) => {
    const data = randomBytes(2000 + n);
    host.set(`/e${n}.mp3`, { body: data });
    return {
      title: `Episode ${n}`,
      guid: `e${n}`,
      pubDate: new Date(Date.UTC(2026, 0, n)),
      enclosure: { url: `${host.url}/e${n}.mp3`, type: 'audio/mpeg', length: data.length },
      extra: n === 2 ? '<description>All about Zebras and stripes</description>' : '',
    };
  });
  host.set('/f.xml', { body: rssFeed('Quiet Show', items) });
  const feedUrl = `${host.url}/f.xml`;
  const { app, ctx } = await appKit(t, [statusRoutes, episodesRoutes], {
    async prepare(home) {
      const state = await loadState(home);
      subscribe(state, feedUrl, { autoDownload: false, recent: 10 });
      await saveState(home, state);
    },
  });
  await ctx.aggregator.poll({ force: true });
  await ctx.aggregator.idle();
  const cookie = `seedcast_app=${ctx.secret.token}`;
  const api = async (method: 'GET' | 'POST', url: string) => {
    const res = await app.inject({ method, url, headers: { cookie, 'x-csrf-token': ctx.secret.csrf } });
    assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
    return res.json();
  };
  return { host, app, ctx, feedUrl, cookie, api };
}

function byTitle(setup: Setup, title: string) {
  const record = setup.ctx.aggregator.state.downloads.find((d) => d.title === title);
  assert.ok(record, title);
  return record;
}

describe('episodes API', () => {
  it('lists episodes newest first, filters by show, state and words', async (t) => {
    const s = await setup(t);
    const { episodes } = await s.api('GET', '/api/episodes');
    assert.deepEqual(
      episodes.map((e: { title: string }) => e.title),
      ['Episode 3', 'Episode 2', 'Episode 1'],
    );
    assert.equal(episodes[0].state, 'new');
    assert.equal(episodes[0].show, feedId(s.feedUrl));
    assert.equal(episodes[0].showTitle, 'Quiet Show');
    const other = await s.api('GET', '/api/episodes?show=0123456789');
    assert.equal(other.episodes.length, 0);
    const mine = await s.api('GET', `/api/episodes?show=${feedId(s.feedUrl)}&state=new`);
    assert.equal(mine.episodes.length, 3);
    assert.equal((await s.api('GET', '/api/episodes?state=complete')).episodes.length, 0);
    const found = await s.api('GET', '/api/episodes?q=zEBRA');
    assert.deepEqual(
      found.episodes.map((e: { title: string }) => e.title),
      ['Episode 2'],
    );
    assert.equal((await s.api('GET', '/api/episodes?q=quiet%20show')).episodes.length, 3);
    const bad = await s.app.inject({
      url: '/api/episodes/0000000000000000',
      headers: { cookie: s.cookie, accept: 'application/json' },
    });
    assert.equal(bad.statusCode, 404);
    assert.equal(bad.json().error.code, 'AGGREGATOR_NO_EPISODE');
  });

  it('downloads, marks played, deletes (back to new)', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 3');
    const queued = await s.api('POST', `/api/episodes/${record.id}/download`);
    assert.ok(['queued', 'downloading'].includes(queued.episode.state), queued.episode.state);
    await s.ctx.aggregator.idle();
    const { episode } = await s.api('GET', `/api/episodes/${record.id}`);
    assert.equal(episode.state, 'complete');
    assert.equal(episode.via, 'http');
    assert.ok(record.path && existsSync(record.path));
    const path = record.path;
    assert.ok((await s.api('POST', `/api/episodes/${record.id}/played`)).episode.playedAt);
    assert.equal((await s.api('POST', `/api/episodes/${record.id}/unplayed`)).episode.playedAt, null);
    const deleted = await s.api('POST', `/api/episodes/${record.id}/delete`);
    assert.equal(deleted.episode.state, 'new');
    assert.equal(existsSync(path), false);
  });

  it('shows a failure with its reason, and retry fetches it', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 1');
    const body = s.host.routes.get('/e1.mp3');
    s.host.set('/e1.mp3', { status: 404 });
    await s.api('POST', `/api/episodes/${record.id}/download`);
    await s.ctx.aggregator.idle();
    const failed = (await s.api('GET', `/api/episodes/${record.id}`)).episode;
    assert.equal(failed.state, 'failed');
    assert.ok(failed.error);
    const page = await s.app.inject({ url: '/new', headers: { cookie: s.cookie } });
    assert.doesNotMatch(page.body, new RegExp(record.id), 'failed episodes are not new');
    const list = await s.app.inject({
      url: `/search?q=${encodeURIComponent('Episode 1')}`,
      headers: { cookie: s.cookie },
    });
    assert.match(list.body, /class="episode-error" role="status">[^<]+</);
    assert.match(list.body, /value="retry" class="button" aria-label/);
    s.host.set('/e1.mp3', body!);
    await s.api('POST', `/api/episodes/${record.id}/retry`);
    await s.ctx.aggregator.idle();
    assert.equal((await s.api('GET', `/api/episodes/${record.id}`)).episode.state, 'complete');
  });

  it('delete cancels a download in progress and removes what arrived', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 3');
    s.host.set('/e3.mp3', { body: randomBytes(400_000), bytesPerSecond: 40_000 });
    record.length = 400_000;
    await s.api('POST', `/api/episodes/${record.id}/download`);
    const until = Date.now() + 20_000;
    while (!((s.ctx.aggregator.active.get(record.id)?.done ?? 0) > 0)) {
      assert.ok(Date.now() < until, 'the download started');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await s.api('GET', `/api/episodes/${record.id}`)).episode.state, 'downloading');
    const path = record.path!;
    const deleted = await s.api('POST', `/api/episodes/${record.id}/delete`);
    assert.equal(deleted.episode.state, 'new');
    assert.equal(s.ctx.aggregator.active.has(record.id), false);
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(`${path}.part`), false);
    await s.ctx.aggregator.idle();
    assert.equal(record.status, 'new', 'not fetched again');
  });

  it('refuses a change without the CSRF token', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 1');
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/episodes/${record.id}/download`,
      headers: { cookie: s.cookie },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(record.status, 'new');
  });
});

describe('episode pages and the action form', () => {
  it('/new lists new episodes with their actions; played ones leave it', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 2');
    const page = await s.app.inject({ url: '/new', headers: { cookie: s.cookie, accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<ul class="episode-list" id="episodes">/);
    assert.match(page.body, new RegExp(`data-episode-id="${record.id}" data-state="new"`));
    assert.match(page.body, /<button type="submit" name="action" value="download" class="button"/);
    assert.ok(page.body.indexOf('Episode 3') < page.body.indexOf('Episode 1'), 'newest first');
    const form = await s.app.inject({
      method: 'POST',
      url: `/episodes/${record.id}/action`,
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: s.ctx.secret.csrf, action: 'played', back: '/new' }).toString(),
    });
    assert.equal(form.statusCode, 303);
    assert.equal(form.headers.location, `/new#episode-${record.id}`);
    assert.ok(record.playedAt);
    const after = await s.app.inject({ url: '/new', headers: { cookie: s.cookie } });
    assert.doesNotMatch(after.body, new RegExp(record.id));
  });

  it('redirects only to paths of the app', async (t) => {
    const s = await setup(t);
    const record = byTitle(s, 'Episode 1');
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      s.app.inject({
        method: 'POST',
        url: `/episodes/${record.id}/action`,
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams({ _csrf: s.ctx.secret.csrf, ...fields }).toString(),
      });
    assert.equal(
      (await post({ action: 'played', back: '//evil.example/x' })).headers.location,
      `/episodes/${record.id}`,
    );
    assert.equal(
      (await post({ action: 'unplayed' }, { referer: 'http://localhost/search?q=a' })).headers.location,
      `/search?q=a#episode-${record.id}`,
    );
    assert.equal(
      (await post({ action: 'played' }, { referer: 'http://evil.example/new' })).headers.location,
      `/episodes/${record.id}`,
    );
    assert.equal((await post({ action: 'explode' })).statusCode, 400);
  });

  it('/search finds titles, descriptions and show titles, case-insensitively', async (t) => {
    const s = await setup(t);
    const page = await s.app.inject({ url: '/search?q=ZEBRAS', headers: { cookie: s.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="episodes"/);
    assert.match(page.body, /Episode 2/);
    assert.doesNotMatch(page.body, /Episode 1/);
    const none = await s.app.inject({ url: '/search?q=nothing-like-this', headers: { cookie: s.cookie } });
    assert.match(none.body, /No episode matches/);
  });
});
