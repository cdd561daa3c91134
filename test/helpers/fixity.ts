/**
 * What the fixity scenarios (issue 22, `test/scale-fixity-*.test.ts`) share: reading one
 * `seedcast_fixity_*` line of `/metrics`, the admin page as the first user, flipping bytes of a
 * stored blob on disk (rot), a file's SHA-256, and the libtorrent tool's path.
 */

import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { RunningServer } from '../../src/server.js';

export const LT_TOOL = new URL('./lt_tool.py', import.meta.url).pathname;

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A file's SHA-256 (hex). */
export const fileSha256 = (path: string) => sha256(readFileSync(path));

/** The value of the metric line `name value` in Prometheus text (undefined when absent). */
export function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `/metrics` of the site, as text. */
export async function metricsOf(server: RunningServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

/** The `/admin` page as `username` (an administrator: the site's first user) sees it. */
export async function adminPage(server: RunningServer, username = 'ada'): Promise<string> {
  const admin = await server.site.users.byName(username);
  if (!admin) throw new Error(`no user ${username}`);
  const { cookie } = await server.site.sessions.create(admin.id);
  return (await fetch(`${server.url}/admin`, { headers: { cookie: `sc_session=${cookie}` } })).text();
}

/** Rot: the bytes at `offsets` of the file at `path` inverted in place (`content` is what they were). */
export function flipBytes(path: string, content: Uint8Array, offsets: readonly number[]): void {
  const fd = openSync(path, 'r+');
  try {
    for (const at of offsets) writeSync(fd, Buffer.from([content[at]! ^ 0xff]), 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
