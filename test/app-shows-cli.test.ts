/**
 * The command line and the app share one state: a real `seedcast app` (`startAppProc`) runs while the
 * real CLI (`seedcast subscribe`, `unsubscribe`, `feeds --json`) runs beside it on the same
 * `$SEEDCAST_HOME`. A show subscribed in one appears in the other (the app takes the CLI's changes
 * when its shows are next asked for, or on its next periodic save, within about 10 s; its own changes
 * go to `state.json` at once), and an unsubscription in either is seen by the other; the app's
 * periodic save never undoes them.
 */

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { feedId } from '../src/aggregator/index.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { startAppProc } from './helpers/app-proc.js';
import { runCli } from './helpers/tools.js';
import { until } from './helpers/until.js';

test('a show subscribed with the CLI appears in the app, one added in the app in `seedcast feeds`; unsubscribing in either is seen by the other', {
  timeout: 300_000,
}, async (t) => {
  const host = await startPodcastHost(t);
  for (const name of ['cli', 'app', 'both'])
    host.set(`/${name}.xml`, { type: 'application/rss+xml', body: rssFeed(`From ${name}`, []) });
  const app = await startAppProc(t);
  const env = { SEEDCAST_HOME: app.home };
  const cliFeeds = async (): Promise<string[]> => {
    const res = await runCli(['feeds', '--json'], { env });
    assert.equal(res.code, 0, res.stderr);
    return (JSON.parse(res.stdout) as { url: string }[]).map((f) => f.url);
  };
  const appShows = async (): Promise<string[]> =>
    (await app.api('/api/shows')).shows.map((s: { url: string }) => s.url);

  // CLI -> app, within about 12 s, and the app polls it (its title shows).
  const cliUrl = `${host.url}/cli.xml`;
  const sub = await runCli(['subscribe', cliUrl], { env });
  assert.equal(sub.code, 0, sub.stderr);
  const started = Date.now();
  await until('the CLI subscription in the app', async () => (await appShows()).includes(cliUrl), {
    timeoutMs: 12_000,
  });
  t.diagnostic(`seen by the app after ${Date.now() - started} ms`);
  await until(
    'the app to poll it',
    async () => (await app.api(`/api/shows/${feedId(cliUrl)}`)).show.title === 'From cli',
    { timeoutMs: 30_000 },
  );

  // App -> CLI, at once.
  const appUrl = `${host.url}/app.xml`;
  const added = await app.api('/api/shows', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: appUrl }),
  });
  assert.equal(added.show.id, feedId(appUrl));
  assert.deepEqual((await cliFeeds()).sort(), [appUrl, cliUrl].sort());

  // CLI unsubscribes -> gone from the app within about 12 s.
  const gone = await runCli(['unsubscribe', cliUrl], { env });
  assert.equal(gone.code, 0, gone.stderr);
  await until('the CLI unsubscription in the app', async () => !(await appShows()).includes(cliUrl), {
    timeoutMs: 12_000,
  });
  assert.deepEqual(await appShows(), [appUrl]);

  // The app subscribes again and unsubscribes another: the CLI sees both at once, and still after
  // the app's next periodic save (which must not bring the old list back).
  const bothUrl = `${host.url}/both.xml`;
  await app.api('/api/shows', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: bothUrl }),
  });
  await app.api(`/api/shows/${feedId(appUrl)}`, { method: 'DELETE' });
  assert.deepEqual(await cliFeeds(), [bothUrl]);
  const changedAt = statSync(join(app.home, 'state.json')).mtimeMs;
  await until(
    'the app to save again',
    async () => statSync(join(app.home, 'state.json')).mtimeMs > changedAt,
    { timeoutMs: 15_000 },
  );
  assert.deepEqual(await cliFeeds(), [bothUrl]);
  assert.deepEqual(await appShows(), [bothUrl]);
});
