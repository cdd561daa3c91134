/**
 * Fixtures for the page tests: a site on a fresh SQLite file behind `app.inject()`, a signed-in
 * session and URL-encoded form bodies, items added straight through the repository, a cookie-keeping `Browser` that posts forms with their CSRF
 * token, and `assertInert` (no markup from user text survived in any tag).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../src/db/index.js';
import { openTestSite, type TestSite } from './site-fixtures.js';

export async function openPagesSite(t: { after(fn: () => unknown): void }): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-pages-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

/** A signed-in session for an existing account: its cookie header, the page's CSRF token, the user. */
export async function pageSession(s: TestSite, username: string) {
  const user = (await s.site.users.byName(username))!;
  const { cookie } = await s.site.sessions.create(user.id);
  const page = await s.app.inject({ method: 'GET', url: '/', headers: { cookie: `sc_session=${cookie}` } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
  return { cookie: `sc_session=${cookie}`, csrf, user };
}

/** An URL-encoded form body for `app.inject()`. */
export const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded',
  payload: new URLSearchParams(fields).toString(),
});

export const EVIL_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>';
export const EVIL_DESCRIPTION =
  '**bold** <script>alert("d")</script> [click](javascript:alert(1)) <img src=x onerror="alert(2)"> [ok](https://example.org/)';

/** Adds a ready item straight through the repository (no upload needed for page tests). */
export async function addItem(
  s: TestSite,
  fields: { title?: string; description?: string; tags?: string[]; license?: string | null } = {},
) {
  const owner =
    (await s.site.users.byName('owner')) ??
    (await s.site.users.register({ username: 'owner', password: 'correct horse' }));
  return s.site.items.create({
    ownerId: owner.id,
    title: fields.title ?? 'A quiet river',
    description: fields.description ?? 'Water *sounds*.',
    creator: 'Field Recordist',
    license: fields.license === undefined ? 'CC-BY-SA-4.0' : fields.license,
    tags: fields.tags ?? ['nature', 'water'],
    status: 'ready',
    mediaType: 'audio',
    mimeType: 'audio/mpeg',
    infoHash: Math.random().toString(16).slice(2).padEnd(40, '0').slice(0, 40),
    files: [{ path: 'river/river.mp3', length: 123_456, mimeType: 'audio/mpeg', blobKey: 'files/fixture/0' }],
  });
}

/**
 * Asserts that no markup from user text survived: every tag in the page parses as a tag with quoted
 * attributes, none has an event handler attribute or a script/data URL, and no inline script exists.
 */
export function assertInert(html: string): void {
  const tag = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][a-zA-Z0-9_:.-]*(?:="[^"<>]*")?)*)\s*>/y;
  const attr = /\s+([a-zA-Z_:][a-zA-Z0-9_:.-]*)(?:="([^"]*)")?/g;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    if (!/[a-zA-Z]/.test(html[i + 1] ?? '')) continue;
    tag.lastIndex = i;
    const m = tag.exec(html);
    assert.ok(m, `not a well-formed tag at ${html.slice(i, i + 80)}`);
    if (m[1]!.toLowerCase() === 'script') assert.match(m[2]!, /\ssrc="\/static\//, 'only our own scripts');
    for (const [, name, value] of m[2]!.matchAll(attr)) {
      assert.doesNotMatch(name!, /^on/i, `event handler in ${m[0]}`);
      if (/^(href|src|action|poster|formaction)$/i.test(name!))
        assert.doesNotMatch(value ?? '', /^\s*(javascript|data|vbscript):/i, m[0]);
    }
  }
}

/** A browser's cookie jar and form posting over `app.inject()`. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private keep(setCookie: string | string[] | undefined): void {
    for (const c of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private header(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: this.header() });
    this.keep(res.headers['set-cookie'] as string | string[] | undefined);
    return res;
  }

  /** Posts a form; `csrf: true` takes the token from the page's meta tag first (as a browser would). */
  async post(url: string, fields: Record<string, string>, options: { csrfFrom?: string } = {}) {
    const body = new URLSearchParams(fields);
    if (options.csrfFrom !== undefined) {
      const page = await this.get(options.csrfFrom);
      const token = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)![1]!;
      body.set('_csrf', token);
    }
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    this.keep(res.headers['set-cookie'] as string | string[] | undefined);
    return res;
  }
}
