/**
 * A real `seedcast serve` for end-to-end tests (from source, fresh data folder, free ports), an
 * account with a token, and publishing through `POST /api/v1/items`; `restart` stops it and starts
 * it again on the same folder and ports (with other flags if given), as an operator would.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { siteApi } from './site-api.js';
import { freePort, type Running, start, startCli, tempDir } from './tools.js';

// biome-ignore lint/suspicious/noExplicitAny: the item as JSON, checked by the tests' assertions
type ItemJson = any;

export interface SiteProc {
  dir: string;
  data: string;
  base: string;
  peerPort: number;
  token: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the tests' assertions
  api(path: string, init?: RequestInit): Promise<any>;
  /** Publishes files (name -> bytes) with extra form fields; returns the item and its `.torrent` path. */
  publish(
    title: string,
    files: Record<string, Buffer>,
    fields?: Record<string, string>,
  ): Promise<{ item: ItemJson; torrent: Buffer; torrentPath: string }>;
  restart(flags?: string[]): Promise<void>;
  server(): Running;
}

export async function startSiteProc(
  t: TestContext,
  /** `allowPrivateUrls: false` runs the site on its default outbound policy (default: lifted for loopback). */
  options: {
    host?: string;
    flags?: string[];
    allowPrivateUrls?: boolean;
    /** More environment for the `serve` process. */
    env?: NodeJS.ProcessEnv;
    /** The command that runs `seedcast <args>` (default: from source through tsx). */
    command?: (args: string[]) => [string, string[]];
  } = {},
): Promise<SiteProc> {
  const dir = tempDir(t, 'seedcast-site-e2e-');
  const data = join(dir, 'data');
  const host = options.host ?? '127.0.0.1';
  const port = await freePort();
  const peerPort = await freePort();
  let server: Running;
  let base = '';
  const launch = async (flags: string[]) => {
    const args = [
      'serve',
      '--host',
      host,
      '--port',
      String(port),
      '--peer-port',
      String(peerPort),
      '--data',
      data,
      ...(options.allowPrivateUrls === false ? [] : ['--allow-private-urls']),
      ...flags,
    ];
    const env = options.env ? { env: options.env } : {};
    server = options.command ? start(t, ...options.command(args), env) : startCli(t, args, env);
    t.after(() => server.stop());
    [, base = ''] = await server.waitFor(/listening on (http:\/\/\S+)/, 90_000);
  };
  await launch(options.flags ?? []);
  const { api, account } = siteApi(base);
  const token = await account('publisher', 'correct horse');
  let published = 0;
  return {
    dir,
    data,
    get base() {
      return base;
    },
    peerPort,
    token,
    api,
    async publish(title, files, fields = {}) {
      const form = new FormData();
      form.append('title', title);
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const [name, bytes] of Object.entries(files)) form.append('file', new Blob([bytes]), name);
      const item = await api('/api/v1/items', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      const torrent = Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer());
      const torrentPath = join(dir, `item-${++published}.torrent`);
      writeFileSync(torrentPath, torrent);
      return { item, torrent, torrentPath };
    },
    async restart(flags) {
      await server.stop();
      await launch(flags ?? options.flags ?? []);
    },
    server: () => server,
  };
}
