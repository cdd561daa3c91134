/**
 * Owners edit and delete their items in a real browser (Debian's chromium through playwright-core),
 * against a real `startServer` on a temporary data folder (issue 19):
 * - an owner opens their item, follows "Edit", changes the title and the licence, saves, and sees
 *   both on the item page; a bad licence first shows the message at the licence field, what was
 *   typed kept;
 * - choosing the same file again on the upload page tells "already published" with a link to the
 *   item, and no upload is created (the page hashed the file and asked the site first);
 * - "Delete" shows what will be removed, and confirming it sends the owner to their page; the item's
 *   page then answers 404.
 * Visitors see a "Log in to favourite" link rather than a dead button.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type RunningServer, startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

const TIMEOUT = 120_000;

async function serve(t: TestContext): Promise<RunningServer> {
  const dir = tempDir(t, 'seedcast-items-edit-browser-');
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  return server;
}

async function api(base: string, path: string, init: { method: string; body?: unknown; token?: string }) {
  const res = await fetch(`${base}${path}`, {
    method: init.method,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return res;
}

async function account(base: string, username: string): Promise<string> {
  const password = 'correct horse battery';
  await api(base, '/api/v1/users', { method: 'POST', body: { username, password } });
  const res = await api(base, '/api/v1/tokens', { method: 'POST', body: { username, password } });
  return ((await res.json()) as { token: string }).token;
}

async function logIn(page: Page, username: string) {
  await page.goto('/login');
  await page.fill('#f-username', username);
  await page.fill('#f-password', 'correct horse battery');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.click('#login-form button[type="submit"]'),
  ]);
}

test('an owner edits the title and licence of an item from its page, then deletes it', {
  timeout: 5 * TIMEOUT,
}, async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const server = await serve(t);
  const base = server.url.replace(/\/$/, '');
  await account(base, 'root'); // the first account is the admin: the owner is an ordinary one
  const token = await account(base, 'ada');
  const content = Buffer.from('A talk, as text.\n'.repeat(2000));
  const form = new FormData();
  form.append('title', 'Old title');
  form.append('license', 'CC0-1.0');
  form.append('file', new Blob([content]), 'talk.txt');
  const created = await fetch(`${base}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { id } = (await created.json()) as { id: number };

  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  // A visitor: no Edit button, and a link to log in instead of a dead Favourite button.
  await page.goto(`/items/${id}`);
  assert.equal(await page.locator('#edit-item').count(), 0);
  assert.equal(await page.locator('#favourite-button').count(), 0);
  assert.equal(await page.getAttribute('#favourite-login', 'href'), `/login?next=%2Fitems%2F${id}`);

  await logIn(page, 'ada');
  await page.goto(`/items/${id}`);
  await Promise.all([page.waitForURL(new RegExp(`/items/${id}/edit$`)), page.click('#edit-item')]);
  assert.equal(await page.inputValue('#f-title'), 'Old title');

  // A licence the API refuses: the message at the field, the typed title kept.
  await page.fill('#f-title', 'New title, edited');
  await page.fill('#f-license', 'my own terms');
  await Promise.all([page.waitForLoadState('load'), page.click('#edit-submit')]);
  await page.waitForSelector('#f-license-error');
  assert.match((await page.textContent('#f-license-error')) ?? '', /Creative Commons URL|SPDX/);
  assert.equal(await page.inputValue('#f-title'), 'New title, edited');
  assert.equal(await page.getAttribute('#f-license', 'aria-invalid'), 'true');

  await page.fill('#f-license', 'https://creativecommons.org/licenses/by-sa/4.0/');
  await Promise.all([page.waitForURL(new RegExp(`/items/${id}$`)), page.click('#edit-submit')]);
  assert.equal(await page.textContent('#item-title'), 'New title, edited');
  assert.match((await page.textContent('#license')) ?? '', /BY-SA 4\.0/);
  assert.equal(
    await page.getAttribute('#license', 'href'),
    'https://creativecommons.org/licenses/by-sa/4.0/',
  );

  // The same file again on the upload page: "already published", and no upload created.
  const uploads: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1/uploads')) uploads.push(`${r.method()} ${r.url()}`);
  });
  const dir = tempDir(t, 'seedcast-items-edit-file-');
  const again = join(dir, 'same talk.txt');
  writeFileSync(again, content);
  await page.goto('/upload');
  await page.setInputFiles('#f-file', again);
  await page.fill('#f-title', 'Trying again');
  await page.click('#upload-submit');
  await page.waitForSelector('#duplicate-link');
  assert.equal(await page.getAttribute('#duplicate-link', 'href'), `/items/${id}`);
  assert.equal(await page.textContent('#duplicate-link'), 'New title, edited');
  assert.deepEqual(uploads, []);

  // Delete: a confirmation first, then the owner's page; the item is gone.
  await page.goto(`/items/${id}`);
  await Promise.all([page.waitForURL(new RegExp(`/items/${id}/delete$`)), page.click('#delete-item')]);
  assert.match((await page.textContent('h1')) ?? '', /Delete “New title, edited”\?/);
  assert.match((await page.textContent('#delete-what')) ?? '', /its file/);
  await Promise.all([page.waitForURL(/\/users\/ada\?deleted=/), page.click('#delete-confirm')]);
  const gone = await page.goto(`/items/${id}`);
  assert.equal(gone?.status(), 404);
  assert.equal((await fetch(`${base}/items/${id}.torrent`)).status, 404);
  assert.deepEqual(dialogs, []);
});
