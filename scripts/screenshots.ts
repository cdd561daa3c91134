/**
 * `npm run screenshots`: PNG screenshots of every page of the site for the README and the docs
 * (`docs/screenshots/<page>-<light|dark|390>.png`: 1280x800 light and dark, 390x844 phone).
 * Starts a real site (`startServer`) on a temporary data folder and photographs, in Debian's
 * chromium (playwright-core):
 * 1. the home page on first run, before any account;
 * 2. after setting the site up through the API (`screenshots/state.ts`: the admin and a second
 *    account, a channel each with avatar and banner, demo media made by ffmpeg published into them,
 *    a collection, a follow) and their media work done, every page in `screenshots/pages.ts`, anonymous or as the admin;
 * 3. the register page once the admin has closed registration (`PATCH /api/v1/admin/settings`).
 * A page whose route answers 404 (not built yet) is reported and skipped, never photographed; its
 * old PNGs are removed. `SCREENSHOTS_PAGES=home,item` takes only those. Needs ffmpeg and chromium.
 * Exits 1 when a page failed (5xx, an exception); skipped pages only warn.
 * `npm run screenshots -- app` photographs the aggregator app's pages instead (`screenshots/app.ts`).
 */

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '../src/server.js';
import { launchChromium } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/tools.js';
import { shootApp } from './screenshots/app.js';
import { ALL_NAMES, FIRST_RUN, REGISTER_CLOSED, SHOTS, type Shot } from './screenshots/pages.js';
import { type Outcome, Shooter, VARIANTS } from './screenshots/shoot.js';
import {
  Api,
  closeRegistration,
  type State,
  setUp,
  setupWarnings,
  waitForProcessing,
} from './screenshots/state.js';

const OUT = resolve('docs/screenshots');

async function main(): Promise<void> {
  const started = performance.now();
  const only = process.env.SCREENSHOTS_PAGES?.split(',').filter(Boolean);
  const unknown = only?.filter((name) => !ALL_NAMES.includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`SCREENSHOTS_PAGES: unknown ${unknown.join(', ')}`);
  const wanted = (shot: Shot) => !only || only.includes(shot.name);
  mkdirSync(OUT, { recursive: true });
  // Nothing stale: a page skipped this time leaves no PNG behind.
  for (const name of ALL_NAMES.filter((n) => !only || only.includes(n)))
    for (const v of VARIANTS) rmSync(join(OUT, `${name}-${v.name}.png`), { force: true });

  const work = mkdtempSync(join(tmpdir(), 'seedcast-screenshots-'));
  const server = await startServer(
    { host: '127.0.0.1', port: await freePort(), data: join(work, 'data') },
    { logger: false },
  );
  const outcomes: Outcome[] = [];
  try {
    const api = new Api(server.url);
    const browser = await launchChromium();
    const shooter = new Shooter(browser, { base: server.url, out: OUT, work });
    try {
      const take = async (shot: Shot, state: State | undefined) => {
        const outcome = await shooter.shoot(shot, state);
        outcomes.push(outcome);
        console.log(`${shot.name}: ${outcome.result}${outcome.detail ? ` (${outcome.detail})` : ''}`);
      };
      if (wanted(FIRST_RUN)) await take(FIRST_RUN, undefined);
      const state = await setUp(api, server.site, work);
      await waitForProcessing(api, Object.values(state.items));
      console.log(`site set up in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      await shooter.logIn(state.admin);
      for (const shot of SHOTS.filter(wanted)) await take(shot, state);
      if (wanted(REGISTER_CLOSED)) {
        if (await closeRegistration(api, state.admin)) await take(REGISTER_CLOSED, state);
        else
          outcomes.push({ name: REGISTER_CLOSED.name, result: 'not built yet', detail: 'no settings API' });
      }
    } finally {
      await shooter.close();
      await browser.close();
    }
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }

  const taken = outcomes.filter((o) => o.result === 'taken');
  const others = outcomes.filter((o) => o.result !== 'taken');
  console.log(
    `\n${taken.length} pages photographed (${taken.length * VARIANTS.length} PNGs in ${OUT}) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const o of others) console.warn(`warning: ${o.name}: ${o.result}${o.detail ? ` (${o.detail})` : ''}`);
  for (const w of setupWarnings) console.warn(`warning (setup): ${w}`);
  if (others.some((o) => o.result === 'failed')) process.exitCode = 1;
}

/** The app's pages (`npm run screenshots -- app`): their own world, the same summary. */
async function mainApp(): Promise<void> {
  const started = performance.now();
  mkdirSync(OUT, { recursive: true });
  const outcomes = await shootApp(OUT, process.env.SCREENSHOTS_PAGES?.split(',').filter(Boolean));
  const taken = outcomes.filter((o) => o.result === 'taken');
  console.log(
    `\n${taken.length} app pages photographed (${taken.length * VARIANTS.length} PNGs in ${OUT}) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const o of outcomes.filter((o) => o.result !== 'taken'))
    console.warn(`warning: ${o.name}: ${o.result}${o.detail ? ` (${o.detail})` : ''}`);
  if (outcomes.some((o) => o.result === 'failed')) process.exitCode = 1;
}

if (process.argv[2] === 'app') await mainApp();
else await main();
