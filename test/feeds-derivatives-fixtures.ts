/**
 * A running site (`startServer`, SQLite, the embedded job queue) with one WAV published in a channel
 * through the API, processed into its MP3 derivative, with English captions and chapters: what the
 * feed tests with derivatives (feedparser, gPodder) read.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type RunningServer, startServer } from '../src/server.js';
import { freePort, run, tempDir } from './helpers/tools.js';

export interface DerivativeJson {
  kind: string;
  label: string;
  mime: string;
  length: number;
  url: string;
  torrentUrl?: string;
  magnet?: string;
  integrity?: string;
}

export interface WavSite {
  server: RunningServer;
  dir: string;
  id: number;
  channel: string;
  mp3: DerivativeJson;
  derivatives: DerivativeJson[];
  /** The original's URL. */
  wavUrl: string;
}

interface ItemJson {
  processing?: { state: string } | null;
  derivatives?: DerivativeJson[];
}

/** Polls the API until the item's processing is done or failed. */
async function settled(server: RunningServer, id: number, timeoutMs = 120_000): Promise<{ item: ItemJson }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = (await (await fetch(`${server.url}/api/v1/items/${id}`)).json()) as ItemJson;
    if (item.processing?.state === 'done' || item.processing?.state === 'failed') return { item };
    if (Date.now() > deadline) throw new Error(`item ${id}: processing ${JSON.stringify(item.processing)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const CAPTIONS = 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nA tone for the harbour\n';

export async function wavSite(t: TestContext, options: { fileName?: string } = {}): Promise<WavSite> {
  const dir = tempDir(t, 'seedcast-feeds-derivatives-');
  const wav = join(dir, 'tone.wav');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=2',
    '-ac',
    '1',
    '-ar',
    '22050',
    wav,
  ]);
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: 0,
    data: join(dir, 'site'),
  });
  t.after(() => server.close());
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await fetch(`${server.url}/api/v1/users`, json({ username: 'radio', password: 'correct horse' }));
  const tokenRes = await fetch(
    `${server.url}/api/v1/tokens`,
    json({ username: 'radio', password: 'correct horse' }),
  );
  const auth = { authorization: `Bearer ${((await tokenRes.json()) as { token: string }).token}` };
  const owner = (await server.site.users.byName('radio'))!;
  await server.site.channels.create({ ownerId: owner.id, slug: 'talks', title: 'Harbour talks' });

  const form = new FormData();
  form.append('title', 'A tone');
  form.append('description', 'Two seconds of A440, recorded as WAV.');
  form.append('channel', 'talks');
  form.append('file', new Blob([readFileSync(wav)], { type: 'audio/wav' }), options.fileName ?? 'tone.wav');
  const published = await fetch(`${server.url}/api/v1/items`, { method: 'POST', headers: auth, body: form });
  assert.equal(published.status, 201, await published.clone().text());
  const { id } = (await published.json()) as { id: number };
  const { item } = await settled(server, id);
  assert.equal(item.processing?.state, 'done', JSON.stringify(item.processing));
  const derivatives = (item.derivatives ?? []) as DerivativeJson[];
  const mp3 = derivatives.find((d) => d.mime === 'audio/mpeg');
  assert.ok(mp3, `an MP3 among ${JSON.stringify(derivatives)}`);

  const captions = new FormData();
  captions.append('language', 'en');
  captions.append('file', new Blob([CAPTIONS], { type: 'text/vtt' }), 'tone.vtt');
  const up = await fetch(`${server.url}/api/v1/items/${id}/captions`, {
    method: 'POST',
    headers: auth,
    body: captions,
  });
  assert.equal(up.status, 201, await up.clone().text());
  const chapters = await fetch(`${server.url}/api/v1/items/${id}/chapters`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ version: '1.2.0', chapters: [{ startTime: 0, title: 'The tone' }] }),
  });
  assert.equal(chapters.status, 200, await chapters.clone().text());
  const full = (await (await fetch(`${server.url}/api/v1/items/${id}`)).json()) as {
    files: { url: string }[];
  };
  return { server, dir, id, channel: 'talks', mp3, derivatives, wavUrl: full.files[0]!.url };
}
