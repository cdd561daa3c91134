/**
 * An admin closes registration in a real browser (Debian's chromium through playwright-core) against
 * a real `startServer` (issue 19): the first visitor sees the first-run banner and registers (becoming
 * the admin), opens Settings from the header, sets the site's name and registration to closed, and
 * saves; a second visitor (a fresh browser context) sees the new name, no banner, and on /register
 * "Registration is closed on this site" with the contact; the API refuses a registration with 403
 * REGISTRATION_CLOSED. Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

const TIMEOUT = 120_000;

test('an admin closes registration; a visitor sees the register page say so; the API answers 403', {
  timeout: TIMEOUT,
}, async (t: TestContext) => {
  if (!requireTools(t, 'chromium')) return;
  const dir = tempDir(t, 'seedcast-admin-browser-');
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());

  const admin = await browser.newContext({ baseURL: server.url });
  const page = await admin.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto('/');
  assert.match(
    (await page.textContent('#first-run-banner')) ?? '',
    /first account you create becomes the site's admin/,
  );
  await Promise.all([page.waitForURL(/\/register$/), page.click('#first-run-banner a[href="/register"]')]);
  await page.fill('#f-username', 'root');
  await page.fill('#f-password', 'correct horse');
  await page.fill('#f-confirm', 'correct horse');
  await Promise.all([page.waitForURL(/\/account$/), page.click('#register-form button[type="submit"]')]);

  await Promise.all([page.waitForURL(/\/admin\/settings$/), page.click('header a[href="/admin/settings"]')]);
  await page.fill('#f-name', 'Radio Commons');
  await page.fill('#f-contact', 'team@example.org');
  await page.selectOption('#f-registration', 'closed');
  await Promise.all([page.waitForURL(/\/admin\/settings\?saved=1$/), page.click('#save-settings')]);
  assert.match((await page.textContent('#settings-saved')) ?? '', /saved/);
  assert.equal(await page.inputValue('#f-name'), 'Radio Commons');
  assert.equal(await page.locator('#f-registration').inputValue(), 'closed');

  // A bad value is refused at its field and nothing changes.
  await page.fill('#f-contact', 'not a contact');
  await page.click('#save-settings');
  await page.waitForSelector('#f-contact[aria-invalid="true"]');

  const visitor = await browser.newContext({ baseURL: server.url });
  const other = await visitor.newPage();
  await other.goto('/');
  assert.equal(await other.locator('#first-run-banner').count(), 0);
  assert.equal((await other.textContent('.brand'))?.trim(), 'Radio Commons');
  assert.match(await other.title(), /Radio Commons/);
  await other.goto('/register');
  assert.match(
    (await other.textContent('#registration-closed')) ?? '',
    /Registration is closed on this site/,
  );
  assert.match((await other.textContent('#site-contact')) ?? '', /team@example\.org/);
  assert.equal(await other.locator('#register-form').count(), 0, 'no form to fill in');

  const api = await fetch(`${server.url}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'correct horse' }),
  });
  assert.equal(api.status, 403);
  assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'REGISTRATION_CLOSED');
});
