/**
 * A real site (`startServer` on a temporary data folder) with one published item, for the WebRTC
 * tests of the site's seeding peer: an account, a token and a file of random bytes published
 * through the API. Returns the item, its `.torrent` and the content's SHA-256.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../src/server.js';
import { freePort } from './tools.js';

export interface PublishedItem {
  id: number;
  infoHash: string;
  torrent: Buffer;
  data: Buffer;
  sha256: string;
  name: string;
}

export interface WebRtcSite {
  server: RunningServer;
  item: PublishedItem;
  close(): Promise<void>;
}

/** Starts a site on 127.0.0.1 and publishes `size` random bytes as `name`. */
export async function webRtcSite(options: {
  size: number;
  name?: string;
  data?: string;
}): Promise<WebRtcSite> {
  const dir = options.data ?? mkdtempSync(join(tmpdir(), 'seedcast-webrtc-site-'));
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  const close = async () => {
    await server.close();
    if (!options.data) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = server.url;
    const credentials = { username: 'publisher', password: 'correct horse' };
    const json = { 'content-type': 'application/json' };
    await fetch(`${url}/api/v1/users`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    const tokenRes = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(credentials),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const name = options.name ?? 'clip.webm';
    const data = randomBytes(options.size);
    const form = new FormData();
    form.append('title', 'WebRTC clip');
    form.append('file', new Blob([data]), name);
    const res = await fetch(`${url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body = (await res.json()) as { id: number; infoHash: string; torrentUrl: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    const torrent = Buffer.from(await (await fetch(body.torrentUrl)).arrayBuffer());
    const sha256 = createHash('sha256').update(data).digest('hex');
    // Seeding starts as the item is published; wait until the engine serves it.
    for (let i = 0; i < 100 && !server.site.seeding.isSeeding(body.id); i++)
      await new Promise((r) => setTimeout(r, 50));
    return { server, item: { id: body.id, infoHash: body.infoHash, torrent, data, sha256, name }, close };
  } catch (err) {
    await close();
    throw err;
  }
}
