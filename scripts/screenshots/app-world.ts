/**
 * The world the app's screenshots show (`npm run screenshots -- app`), all real processes:
 * - a Seedcast site (`seedcast serve`, `startSiteProc`) with a channel, "Night walks", and two MP3s
 *   published into it: followed by the channel's feed, they come through the swarm and seed;
 * - a podcast host (`startPodcastHost`) with "Kitchen radio" (two short episodes, one with
 *   `podcast:chapters` and a `podcast:transcript`, and a big newest one sent slowly, so it is caught
 *   downloading) and "The broken show" (its feed answers 404: the error is shown);
 * - `seedcast app` (`startAppProc`) on a fresh `$SEEDCAST_HOME` whose subscriptions were written as
 *   `seedcast subscribe` writes them (the app and the CLI share the state).
 * The test helpers want a `TestContext` for their clean-ups; `Cleanups` is a stand-in that runs them
 * in reverse order at `close()`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { feedId, loadState, saveState, subscribe } from '../../src/aggregator/index.js';
import { rssFeed, startPodcastHost } from '../../test/aggregator-fixtures.js';
import { type AppProc, startAppProc } from '../../test/helpers/app-proc.js';
import { startSiteProc } from '../../test/helpers/site-proc.js';
import { run, tempDir } from '../../test/helpers/tools.js';

/** Collects `t.after` clean-ups, as node:test would, and runs them last first. */
export class Cleanups {
  readonly name = 'screenshots';
  private readonly fns: (() => unknown)[] = [];

  after(fn: () => unknown): void {
    this.fns.push(fn);
  }

  diagnostic(message: string): void {
    console.log(message);
  }

  skip(message?: string): void {
    console.warn(`warning: ${message ?? 'skipped'}`);
  }

  get t(): TestContext {
    return this as unknown as TestContext;
  }

  /** Runs every clean-up, giving each 20 s (a server slow to stop is then killed by the next one). */
  async close(): Promise<void> {
    for (const fn of this.fns.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.resolve()
          .then(fn)
          .catch(() => {}),
        new Promise((r) => {
          timer = setTimeout(r, 20_000);
        }),
      ]);
      clearTimeout(timer);
    }
  }
}

export interface AppWorld {
  app: AppProc;
  /** Show ids (`feedId`). */
  shows: { kitchen: string; nightWalks: string; broken: string };
  /** Feed URLs by show. */
  feeds: { kitchen: string; nightWalks: string; broken: string };
  /** The site's channel page (what a listener pastes into Add). */
  channelPage: string;
}

/** An MP3 of a sine tone (`seconds` long, 128 kbit/s). */
export function tone(t: TestContext, seconds: number, frequency: number): Buffer {
  const out = join(tempDir(t, 'seedcast-shots-tone-'), 'tone.mp3');
  run('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=44100`],
    ...['-t', String(seconds), '-c:a', 'libmp3lame', '-b:a', '128k', out],
  ]);
  return readFileSync(out);
}

const CHAPTERS = {
  version: '1.2.0',
  chapters: [
    { startTime: 0, title: 'Stock from the bones' },
    { startTime: 10, title: 'The vegetables' },
    { startTime: 20, title: 'Seasoning, and a taste' },
  ],
};

const TRANSCRIPT = `WEBVTT

00:00:00.000 --> 00:00:09.000
Good evening, and welcome back to the kitchen. Tonight: soup.

00:00:10.000 --> 00:00:19.000
Carrots, celery and an onion, cut small so they cook through.

00:00:20.000 --> 00:00:29.000
Salt a little at a time, and taste before you serve.
`;

function description(text: string): string {
  return `<description>${text}</description>`;
}

/** Sets up the site, the podcast host and the app; `cleanups.close()` stops them all. */
export async function makeAppWorld(cleanups: Cleanups): Promise<AppWorld> {
  const t = cleanups.t;
  const site = await startSiteProc(t);
  await site.api('/api/v1/channels', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${site.token}` },
    body: JSON.stringify({
      name: 'night-walks',
      title: 'Night walks',
      description: 'Sounds from walks after dark, untreated.',
    }),
  });
  for (const [title, freq] of [
    ['By the river', 330],
    ['Under the bridge', 220],
  ] as const)
    await site.publish(
      title,
      { [`${title.toLowerCase().replace(/ /g, '-')}.mp3`]: tone(t, 60, freq) },
      { channel: 'night-walks', description: `${title}: a minute of a walk at night.` },
    );
  const channelPage = `${site.base}/channels/night-walks`;

  const host = await startPodcastHost(t);
  const soup = tone(t, 30, 440);
  const stew = tone(t, 30, 523);
  // The newest episode: 48 MiB sent at 96 KiB/s, so it is still downloading during the shots.
  const bread = Buffer.alloc(48 * 1024 * 1024, 'seedcast ');
  host.set('/media/soup.mp3', { body: soup, type: 'audio/mpeg', etag: true });
  host.set('/media/stew.mp3', { body: stew, type: 'audio/mpeg', etag: true });
  host.set('/media/bread.mp3', { body: bread, type: 'audio/mpeg', etag: true, bytesPerSecond: 96 * 1024 });
  host.set('/soup.chapters.json', { body: JSON.stringify(CHAPTERS), type: 'application/json+chapters' });
  host.set('/soup.vtt', { body: TRANSCRIPT, type: 'text/vtt' });
  const day = (d: number) => new Date(Date.UTC(2026, 11, d, 18));
  host.set('/kitchen.xml', {
    type: 'application/rss+xml',
    etag: true,
    body: rssFeed('Kitchen radio', [
      {
        title: 'Bread, slowly',
        guid: 'kitchen-3',
        pubDate: day(5),
        enclosure: { url: `${host.url}/media/bread.mp3`, type: 'audio/mpeg', length: bread.length },
        extra: description('A long one: flour, water, salt and a night of waiting.'),
      },
      {
        title: 'A stew for a cold day',
        guid: 'kitchen-2',
        pubDate: day(3),
        enclosure: { url: `${host.url}/media/stew.mp3`, type: 'audio/mpeg', length: stew.length },
        extra: description('Beans, smoked paprika and patience.'),
      },
      {
        title: 'Soup from scratch',
        guid: 'kitchen-1',
        pubDate: day(1),
        enclosure: { url: `${host.url}/media/soup.mp3`, type: 'audio/mpeg', length: soup.length },
        extra:
          description('Stock, vegetables and seasoning: soup in three steps.') +
          `<podcast:chapters url="${host.url}/soup.chapters.json" type="application/json+chapters"/>` +
          `<podcast:transcript url="${host.url}/soup.vtt" type="text/vtt"/>`,
      },
    ]),
  });
  host.set('/broken.xml', { status: 404, body: 'not here any more' });

  const feeds = {
    kitchen: `${host.url}/kitchen.xml`,
    nightWalks: `${channelPage}/feed.rss`,
    broken: `${host.url}/broken.xml`,
  };
  // Subscribed as `seedcast subscribe` does, before the app starts: the app shows the CLI's state.
  const home = tempDir(t, 'seedcast-shots-app-');
  const state = await loadState(home);
  subscribe(state, feeds.nightWalks);
  subscribe(state, feeds.kitchen);
  subscribe(state, feeds.broken, { title: 'The broken show' });
  await saveState(home, state);

  const app = await startAppProc(t, { home });
  return {
    app,
    feeds,
    channelPage,
    shows: {
      kitchen: feedId(feeds.kitchen),
      nightWalks: feedId(feeds.nightWalks),
      broken: feedId(feeds.broken),
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the state file as JSON
export function readAppState(home: string): any {
  return JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
}

/**
 * Waits (at most `timeoutMs`) until the swarm show's episodes and the two short Kitchen radio
 * episodes are complete, the big one is downloading and the broken show has its error; answers
 * what was not reached (a warning for the caller), empty when everything was.
 */
export async function waitForAppWorld(world: AppWorld, timeoutMs = 240_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    try {
      const state = readAppState(world.app.home);
      // biome-ignore lint/suspicious/noExplicitAny: the state file as JSON
      const downloads: any[] = state.downloads;
      const of = (feed: string) => downloads.filter((d) => d.feed === feed);
      const complete = (feed: string) => of(feed).filter((d) => d.status === 'complete').length;
      if (complete(world.feeds.nightWalks) < 2) missing.push('Night walks: both episodes complete');
      if (complete(world.feeds.kitchen) < 2) missing.push('Kitchen radio: two episodes complete');
      if (!of(world.feeds.kitchen).some((d) => d.status === 'downloading'))
        missing.push('Kitchen radio: an episode downloading');
      // biome-ignore lint/suspicious/noExplicitAny: the state file as JSON
      if (!state.feeds.find((f: any) => f.url === world.feeds.broken)?.lastError)
        missing.push('The broken show: its error');
    } catch (err) {
      missing.push(`state.json: ${String(err)}`);
    }
    if (missing.length === 0 || Date.now() > until) return missing;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
