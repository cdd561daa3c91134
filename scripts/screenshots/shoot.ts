/**
 * Photographs pages in chromium in three variants: `light` and `dark` (the CSS follows
 * prefers-color-scheme; playwright's `colorScheme`) at 1280x800 and `390` (a phone, 390x844, light),
 * each the viewport only at device scale 1 to keep the PNGs small. A page whose route answers 404
 * (not built yet) is reported and skipped, as is one that redirects elsewhere or fails; nothing is
 * written for it. The upload page is caught mid-upload (its third chunk held) with its progress bar.
 */

import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page, Route } from 'playwright-core';
import { makeUploadVideo } from './demos.js';
import type { Shot, Viewer } from './pages.js';
import type { Account, State } from './state.js';

export interface Variant {
  name: 'light' | 'dark' | '390';
  options: BrowserContextOptions;
}

export const VARIANTS: Variant[] = [
  {
    name: 'light',
    options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: 'light' },
  },
  {
    name: 'dark',
    options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: 'dark' },
  },
  {
    name: '390',
    options: {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      isMobile: true,
      hasTouch: true,
    },
  },
];

export interface Outcome {
  name: string;
  result: 'taken' | 'not built yet' | 'skipped' | 'failed';
  detail?: string;
}

/** Why a response is not photographed, or undefined to photograph it. */
function refusal(
  shot: Shot,
  path: string,
  seen: { status: number | undefined; finalUrl: string },
): Outcome | undefined {
  const { status, finalUrl } = seen;
  if (status === 404) return { name: shot.name, result: 'not built yet', detail: `${path}: 404` };
  if (status === undefined || status >= 500)
    return { name: shot.name, result: 'failed', detail: `${path}: ${status ?? 'no response'}` };
  if (!shot.anyStatus && (status < 200 || status > 299))
    return { name: shot.name, result: 'skipped', detail: `${path}: ${status}` };
  const wanted = new URL(path, finalUrl);
  const got = new URL(finalUrl);
  if (got.pathname !== wanted.pathname)
    return { name: shot.name, result: 'skipped', detail: `${path} went to ${got.pathname}` };
  return undefined;
}

/** Seeks the item page's video to 4 s, so the shot shows a frame. */
async function seek(page: Page): Promise<void> {
  await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
    const v = (globalThis as any).document.querySelector('#player video');
    if (!v) return;
    v.muted = true;
    // Not forever: a slow machine may still be buffering (the shot then shows the poster).
    await new Promise((r) => {
      v.addEventListener('seeked', r, { once: true });
      setTimeout(r, 20_000);
      v.currentTime = 4;
    });
  });
}

export class Shooter {
  private readonly contexts = new Map<string, BrowserContext>();
  private adminState?: Awaited<ReturnType<BrowserContext['storageState']>>;
  private uploads = 0;

  constructor(
    private readonly browser: Browser,
    private readonly options: { base: string; out: string; work: string },
  ) {}

  /** Logs the admin in through the login form once; later admin contexts reuse its cookies. */
  async logIn(account: Account): Promise<void> {
    const context = await this.browser.newContext({ baseURL: this.options.base });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#f-username', account.username);
    await page.fill('#f-password', account.password);
    await Promise.all([
      page.waitForURL((u) => u.pathname !== '/login'),
      page.click('#login-form button[type="submit"]'),
    ]);
    this.adminState = await context.storageState();
    await context.close();
  }

  private async context(variant: Variant, as: Viewer): Promise<BrowserContext> {
    const key = `${variant.name}/${as}`;
    let context = this.contexts.get(key);
    if (!context) {
      if (as === 'admin' && !this.adminState) throw new Error('admin pages before logIn()');
      context = await this.browser.newContext({
        baseURL: this.options.base,
        ...variant.options,
        ...(as === 'admin' ? { storageState: this.adminState } : {}),
      });
      context.setDefaultTimeout(120_000);
      this.contexts.set(key, context);
    }
    return context;
  }

  /** Photographs one page in every variant. */
  async shoot(shot: Shot, state: State | undefined): Promise<Outcome> {
    const path = state ? shot.path(state) : shot.path({} as State);
    if (path === undefined) return { name: shot.name, result: 'skipped', detail: 'its API is not built yet' };
    for (const variant of VARIANTS) {
      const page = await (await this.context(variant, shot.as)).newPage();
      try {
        const outcome = shot.upload
          ? await this.midUpload(page, shot, path)
          : await this.plain(page, shot, path);
        if (outcome) return outcome;
        await page.screenshot({ path: join(this.options.out, `${shot.name}-${variant.name}.png`) });
      } catch (err) {
        return { name: shot.name, result: 'failed', detail: String(err).slice(0, 300) };
      } finally {
        await page.close();
      }
    }
    return { name: shot.name, result: 'taken' };
  }

  private async plain(page: Page, shot: Shot, path: string): Promise<Outcome | undefined> {
    const res = await page.goto(path);
    const refused = refusal(shot, path, { status: res?.status(), finalUrl: page.url() });
    if (refused) return refused;
    if (shot.seek) {
      // A page may reload itself once (processing finished): seek again in the new one.
      await seek(page).catch(async () => {
        await page.waitForLoadState('load');
        await seek(page);
      });
    }
    return undefined;
  }

  /** The upload page with its progress bar: small chunks, the third one held until the shot. */
  private async midUpload(page: Page, shot: Shot, path: string): Promise<Outcome | undefined> {
    const res = await page.goto(path);
    const refused = refusal(shot, path, { status: res?.status(), finalUrl: page.url() });
    if (refused) return refused;
    await page.evaluate(() =>
      // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
      (globalThis as any).localStorage.setItem('seedcast-upload-chunk', String(256 * 1024)),
    );
    let patches = 0;
    let held: Route | undefined;
    const third = new Promise<void>((resolveThird) => {
      void page.route('**/api/v1/uploads/**', async (route) => {
        if (route.request().method() === 'PATCH' && ++patches >= 3) {
          held = route;
          resolveThird();
          return;
        }
        await route.continue();
      });
    });
    await page.reload();
    await page.setInputFiles('#f-file', makeUploadVideo(this.options.work, ++this.uploads));
    await page.fill('#f-title', 'Harbour at first light');
    await page.fill('#f-description', 'Fishing boats leaving the harbour at dawn, filmed from the pier.');
    await page.fill('#f-creator', 'Demo Studio');
    await page.fill('#f-date', '2026-11-24');
    await page.fill('#f-language', 'en');
    await page.fill('#f-tags', 'harbour, boats, morning');
    await page.click('#upload-submit');
    const waited = await Promise.race([
      third.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
    ]);
    if (!waited) console.warn('upload: the third chunk never went out; photographing the page as it is');
    await page.waitForTimeout(300);
    await page.evaluate(() =>
      // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
      (globalThis as any).document.querySelector('main h1')?.scrollIntoView({ block: 'start' }),
    );
    // The shot is taken by the caller; the held chunk is dropped when the page closes.
    page.once('close', () => void held?.abort().catch(() => {}));
    return undefined;
  }

  async close(): Promise<void> {
    for (const context of this.contexts.values()) await context.close().catch(() => {});
    this.contexts.clear();
  }
}
