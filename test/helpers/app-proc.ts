/**
 * A real `seedcast app` for end-to-end tests: from source, a fresh `$SEEDCAST_HOME`, free ports,
 * `--no-open`; the printed link (with the install's key) to open in Chromium; `api()` for JSON calls
 * with the session cookie and CSRF token, as the app's own scripts make them.
 */

import type { TestContext } from 'node:test';
import { freePort, type Running, startCli, tempDir } from './tools.js';

export interface AppProc {
  /** `$SEEDCAST_HOME`. */
  home: string;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  base: string;
  /** The link `seedcast app` printed (`<base>/?token=...`): opening it logs the browser in. */
  link: string;
  /** The install's key (the cookie's value). */
  token: string;
  /** `Cookie` header value for requests made outside a browser. */
  cookie: string;
  /** The CSRF token (read from a page). */
  csrf: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the tests' assertions
  api(path: string, init?: RequestInit): Promise<any>;
  proc: Running;
}

export async function startAppProc(
  t: TestContext,
  options: { home?: string; flags?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<AppProc> {
  const home = options.home ?? tempDir(t, 'seedcast-app-e2e-');
  const port = await freePort();
  const btPort = await freePort();
  const proc = startCli(
    t,
    [
      'app',
      '--port',
      String(port),
      '--bt-port',
      String(btPort),
      '--no-open',
      '--no-dht',
      '--no-lsd',
      ...(options.flags ?? []),
    ],
    { env: { SEEDCAST_HOME: home, ...options.env } },
  );
  t.after(() => proc.stop());
  const [link = ''] = await proc.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/, 90_000);
  const token = new URL(link).searchParams.get('token') ?? '';
  const base = `http://127.0.0.1:${port}`;
  const cookie = `seedcast_app=${token}`;
  const page = await (await fetch(`${base}/`, { headers: { cookie, accept: 'text/html' } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers
  const api = async (path: string, init: RequestInit = {}): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { cookie, 'x-csrf-token': csrf, accept: 'application/json', ...(init.headers ?? {}) },
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return { home, base, link, token, cookie, csrf, api, proc };
}
