/**
 * A forgotten password reset by mail, in a real browser (Debian's chromium through playwright-core)
 * against a real `startServer` whose SMTP server is a real one on loopback (aiosmtpd): register, add
 * an address and verify it through the mailed link, log out, "Forgot your password?" (the same
 * answer for an unknown name), receive the mail, open its link, set a new password, log in with it;
 * the old password is refused, and the used link says it no longer works.
 * Skips loudly without chromium or aiosmtpd (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { linkIn, requireAiosmtpd, startSmtp } from './helpers/smtp.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import { register } from './site-browser-fixtures.js';

const TIMEOUT = 120_000;

test('a password reset by mail through a loopback SMTP server', { timeout: TIMEOUT }, async (t) => {
  if (!requireTools(t, 'chromium') || !requireAiosmtpd(t)) return;
  const smtp = await startSmtp(t);
  t.after(() => smtp.stop());
  const dir = tempDir(t, 'seedcast-accounts-browser-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    mail: { smtpUrl: smtp.url, mailFrom: 'Seedcast test <site@example.org>' },
  });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ baseURL: server.url })).newPage();
  page.setDefaultTimeout(30_000);
  const text = async (selector: string) => (await page.textContent(selector)) ?? '';

  // register
  await register(page, 'ada', 'correct horse');

  // add an address, verified through the mailed link
  await Promise.all([page.waitForURL(/\/account\/email$/), page.click('a[href="/account/email"]')]);
  assert.match(await text('#email-status'), /No address yet/);
  await page.fill('#f-email', 'Ada@Example.org');
  await Promise.all([page.waitForURL(/done=sent/), page.click('#email-form button[type="submit"]')]);
  assert.match(await text('#email-status'), /ada@example\.org\s+not verified/);
  const verification = await smtp.waitFor('ada@example.org');
  assert.match(verification.raw, /Subject: Verify your email address/);
  const verifyUrl = linkIn(verification, '/verify-email');
  assert.ok(verifyUrl.startsWith(`${server.url}/verify-email?token=`), verifyUrl);
  await page.goto(verifyUrl);
  assert.match(await text('#verified'), /ada@example\.org is verified/);
  await page.goto('/account/email');
  assert.match(await text('#email-status'), /verified/);
  assert.doesNotMatch(await text('#email-status'), /not verified/);

  // log out; "Forgot your password?" from the login page
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('#logout')]);
  await page.goto('/login');
  await Promise.all([page.waitForURL(/\/forgot-password$/), page.click('#forgot-link')]);
  await page.fill('#f-login', 'nobody-at-all');
  await page.click('#forgot-form button[type="submit"]');
  const unknownAnswer = await text('#reset-sent');
  await page.fill('#f-login', 'ada');
  await page.click('#forgot-form button[type="submit"]');
  assert.equal(await text('#reset-sent'), unknownAnswer, 'the same answer either way');
  const mail = await smtp.waitFor('ada@example.org', { count: 2 });
  assert.match(mail.raw, /Subject: Reset your password/);
  assert.match(mail.raw, /Content-Type: text\/html/);
  assert.equal(smtp.messages().length, 2, 'nothing was mailed for the unknown name');

  // open the link, set a new password
  const resetUrl = linkIn(mail, '/reset-password');
  await page.goto(resetUrl);
  await page.fill('#f-password', 'a brand new password');
  await page.fill('#f-confirm', 'a different one');
  await page.click('#reset-form button[type="submit"]');
  assert.match(await text('#f-confirm-error'), /differ/);
  await page.fill('#f-password', 'a brand new password');
  await page.fill('#f-confirm', 'a brand new password');
  await Promise.all([
    page.waitForURL(/\/login\?reset=done$/),
    page.click('#reset-form button[type="submit"]'),
  ]);
  assert.match(await text('#login-notice'), /password was reset/);

  // the old password is refused, the new one logs in
  await page.fill('#f-username', 'ada');
  await page.fill('#f-password', 'correct horse');
  await page.click('#login-form button[type="submit"]');
  assert.match(await text('#form-error'), /Wrong username or password/);
  await page.fill('#f-username', 'ada');
  await page.fill('#f-password', 'a brand new password');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.click('#login-form button[type="submit"]'),
  ]);
  await page.goto('/account');
  assert.match(await text('main'), /Logged in as\s+ada/);

  // the link worked once
  const again = await page.goto(resetUrl);
  assert.equal(again?.status(), 400);
  assert.match(await text('#bad-link'), /already used/);
});
