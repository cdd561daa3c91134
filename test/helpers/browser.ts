/**
 * Debian's chromium driven by playwright-core (the Chrome DevTools Protocol) for the browser tests
 * and the screenshot script: headless, no sandbox (CI runs as root), no GPU, and no background
 * networking, component updates or first-run work (offline machines otherwise keep retrying).
 */

import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Starts chromium; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 120_000 });
}
