/**
 * `npm run screenshots -- app` (or `npm run screenshots:app`): PNGs of every page of the aggregator
 * app (`seedcast app`, issue 23) for docs/aggregator.md, as `docs/screenshots/app-<page>-<light|dark|390>.png`
 * in the same three variants as the site's (`VARIANTS`). The world is made by `app-world.ts` (a
 * real site, a podcast host, a real app); the shots wait until its episodes arrived (one kept
 * downloading, one show failing). The login page comes from a second app started with `--listen`
 * and a password. A page answering 404 (not built yet) is reported and skipped, and its old PNGs
 * removed; `SCREENSHOTS_PAGES=app-shows,app-add` takes only those. Exits 1 when a page failed.
 */

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../test/helpers/browser.js';
import { freePort, startCli, tempDir } from '../../test/helpers/tools.js';
import { type AppWorld, Cleanups, makeAppWorld, readAppState, waitForAppWorld } from './app-world.js';
import { type Outcome, VARIANTS } from './shoot.js';

interface AppShot {
  name: string;
  /** The path to photograph, from the world (undefined: nothing to show). */
  path(world: AppWorld): string | undefined;
  /** Run on the page before the shot (scrolling, playing). */
  prepare?(page: Page): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: runs in the browser
declare const document: any;

/** The first complete episode of a show, from the state file. */
function episodeOf(world: AppWorld, feed: string, title: RegExp): string | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: the state file as JSON
  const downloads: any[] = readAppState(world.app.home).downloads;
  return downloads.find((d) => d.feed === feed && title.test(d.title))?.id;
}

export const APP_SHOTS: AppShot[] = [
  { name: 'app-shows', path: () => '/' },
  { name: 'app-add', path: () => '/add' },
  { name: 'app-show', path: (w) => `/shows/${w.shows.kitchen}` },
  { name: 'app-show-swarm', path: (w) => `/shows/${w.shows.nightWalks}` },
  { name: 'app-show-error', path: (w) => `/shows/${w.shows.broken}` },
  { name: 'app-new', path: () => '/new' },
  { name: 'app-search', path: () => '/search?q=soup' },
  {
    name: 'app-episode',
    path: (w) => {
      const id = episodeOf(w, w.feeds.kitchen, /Soup/);
      return id ? `/episodes/${id}` : undefined;
    },
    // A little way in, so the player shows a position and the current chapter.
    prepare: async (page) => {
      await page.evaluate(async () => {
        const player = document.querySelector('#player');
        if (!player) return;
        player.muted = true;
        await new Promise((r) => {
          player.addEventListener('seeked', r, { once: true });
          setTimeout(r, 5000);
          player.currentTime = 12;
        });
      });
    },
  },
  {
    name: 'app-episode-seeding',
    path: (w) => {
      const id = episodeOf(w, w.feeds.nightWalks, /river/);
      return id ? `/episodes/${id}` : undefined;
    },
  },
  { name: 'app-sharing', path: () => '/sharing' },
  { name: 'app-settings', path: () => '/settings' },
];

export const APP_LOGIN = 'app-login';
export const APP_NAMES = [...APP_SHOTS.map((s) => s.name), APP_LOGIN];

/** Photographs one path in every variant; `cookie` logs the context in. */
async function shoot(
  browser: Browser,
  shot: { name: string; prepare?: AppShot['prepare'] },
  target: { base: string; path: string; token?: string; out: string },
): Promise<Outcome> {
  for (const variant of VARIANTS) {
    const context: BrowserContext = await browser.newContext({ baseURL: target.base, ...variant.options });
    context.setDefaultTimeout(60_000);
    try {
      if (target.token)
        await context.addCookies([{ name: 'seedcast_app', value: target.token, url: target.base }]);
      const page = await context.newPage();
      const res = await page.goto(target.path);
      const status = res?.status();
      if (status === 404) return { name: shot.name, result: 'not built yet', detail: `${target.path}: 404` };
      if (status === undefined || status >= 500)
        return { name: shot.name, result: 'failed', detail: `${target.path}: ${status ?? 'no response'}` };
      if (status < 200 || status > 299)
        return { name: shot.name, result: 'skipped', detail: `${target.path}: ${status}` };
      const wanted = new URL(target.path, target.base).pathname;
      if (new URL(page.url()).pathname !== wanted)
        return { name: shot.name, result: 'skipped', detail: `${target.path} went to ${page.url()}` };
      // Live parts (progress) update once after load.
      await page.waitForTimeout(1500);
      await shot.prepare?.(page);
      await page.screenshot({ path: join(target.out, `${shot.name}-${variant.name}.png`) });
    } catch (err) {
      return { name: shot.name, result: 'failed', detail: String(err).slice(0, 300) };
    } finally {
      await context.close();
    }
  }
  return { name: shot.name, result: 'taken' };
}

/** The login page of an app started with `--listen` and a password (a second, empty home). */
async function shootLogin(browser: Browser, cleanups: Cleanups, out: string): Promise<Outcome> {
  const port = await freePort();
  const proc = startCli(
    cleanups.t,
    [
      'app',
      ...['--listen', '0.0.0.0', '--port', String(port), '--bt-port', String(await freePort())],
      ...['--no-open', '--no-dht', '--no-lsd'],
    ],
    {
      env: {
        SEEDCAST_HOME: tempDir(cleanups.t, 'seedcast-shots-login-'),
        SEEDCAST_APP_PASSWORD: `shots-${Math.random().toString(36).slice(2)}-${Date.now()}`,
      },
    },
  );
  cleanups.after(() => proc.stop());
  try {
    await proc.waitFor(/Seedcast app: http/, 90_000);
  } catch (err) {
    return { name: APP_LOGIN, result: 'failed', detail: String(err).slice(0, 300) };
  }
  const outcome = await shoot(
    browser,
    { name: APP_LOGIN },
    { base: `http://127.0.0.1:${port}`, path: '/login', out },
  );
  await proc.stop();
  return outcome;
}

/** Makes the world, photographs every app page; the outcomes for the summary. */
export async function shootApp(out: string, only: string[] | undefined): Promise<Outcome[]> {
  const started = performance.now();
  const unknown = only?.filter((name) => !APP_NAMES.includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`SCREENSHOTS_PAGES: unknown ${unknown.join(', ')}`);
  const wanted = (name: string) => !only || only.includes(name);
  for (const name of APP_NAMES.filter(wanted))
    for (const v of VARIANTS) rmSync(join(out, `${name}-${v.name}.png`), { force: true });

  const cleanups = new Cleanups();
  const outcomes: Outcome[] = [];
  try {
    const world = await makeAppWorld(cleanups);
    const missing = await waitForAppWorld(world);
    for (const m of missing) console.warn(`warning: not reached before the shots: ${m}`);
    console.log(`app world set up in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const browser = await launchChromium();
    cleanups.after(() => browser.close());
    const note = (outcome: Outcome) => {
      outcomes.push(outcome);
      console.log(`${outcome.name}: ${outcome.result}${outcome.detail ? ` (${outcome.detail})` : ''}`);
    };
    for (const shot of APP_SHOTS.filter((s) => wanted(s.name))) {
      const path = shot.path(world);
      if (path === undefined) {
        note({ name: shot.name, result: 'skipped', detail: 'nothing to show (see the warnings above)' });
        continue;
      }
      note(await shoot(browser, shot, { base: world.app.base, path, token: world.app.token, out }));
    }
    if (wanted(APP_LOGIN)) note(await shootLogin(browser, cleanups, out));
  } finally {
    await cleanups.close();
  }
  return outcomes;
}
