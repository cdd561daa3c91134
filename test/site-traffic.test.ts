/**
 * End to end, honest statistics (issue 17): `seedcast serve` with a fresh data folder publishes an
 * item; fresh, it shows Completed 0 and nothing saved (the site's own seed is no download); a real
 * client (`seedcast download`, the engine's BitTorrent client in its own process) then downloads it
 * from the site's peer, and the API and the item page show the TCP figure and Completed 1; a
 * BitTorrent client's web-seed range, a page player's request and a plain download land in their own
 * channels; counts survive a restart of the site (flushed at close).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { freePort, runCli, startCli, tempDir } from './helpers/tools.js';

const VIDEO = Buffer.from(new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24));

async function serve(t: TestContext, data: string, port: number, peerPort: number) {
  const server = startCli(t, [
    'serve',
    '--port',
    String(port),
    '--peer-port',
    String(peerPort),
    '--data',
    data,
    '--no-dht',
  ]);
  t.after(() => server.stop());
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  return { server, base: base! };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
async function api(base: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${base}${path}`, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

function swarmFigures(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/data-(?:swarm|traffic)="(\w+)">([^<]*)</g)) out[m[1]!] = m[2]!;
  return out;
}

test('a fresh item shows Completed 0 and nothing saved; a real download then shows TCP bytes and Completed 1; channels survive a restart', {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-traffic-');
  const data = join(dir, 'data');
  const port = await freePort();
  const peerPort = await freePort();
  const first = await serve(t, data, port, peerPort);
  const { base } = first;
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await api(base, '/api/v1/users', json({ username: 'publisher', password: 'correct horse' }));
  const { token } = await api(
    base,
    '/api/v1/tokens',
    json({ username: 'publisher', password: 'correct horse' }),
  );
  const form = new FormData();
  form.append('title', 'Counted');
  form.append('file', new Blob([VIDEO], { type: 'video/mp4' }), 'counted.mp4');
  const item = await api(base, '/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });

  // Fresh: the site's own seed announced (a seeder), but nobody downloaded anything.
  await new Promise((r) => setTimeout(r, 2000));
  const fresh = await api(base, `/api/v1/items/${item.id}`);
  assert.equal(fresh.swarm.completed, 0, JSON.stringify(fresh.swarm));
  assert.equal(fresh.swarm.saved, 0);
  assert.equal(fresh.traffic.saved, 0);
  const freshPage = swarmFigures(await (await fetch(`${base}/items/${item.id}`)).text());
  assert.equal(freshPage.completed, '0');
  assert.equal(freshPage.saved, '0 B');
  assert.equal(freshPage.tcp, '0 B');

  // A real BitTorrent client in its own process downloads it from the site.
  const out = join(dir, 'out');
  const got = await runCli(['download', item.torrentUrl, '-o', out, '--port', '0', '--no-dht', '--no-lsd']);
  assert.equal(got.code, 0, got.stderr);
  assert.ok(readFileSync(join(out, 'counted.mp4')).equals(VIDEO));
  let after = await api(base, `/api/v1/items/${item.id}`);
  for (let i = 0; i < 50 && after.swarm.completed < 1; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = await api(base, `/api/v1/items/${item.id}`);
  }
  assert.equal(after.swarm.completed, 1, JSON.stringify(after.swarm));
  const bittorrent = after.traffic.tcp + after.traffic.webSeed;
  assert.ok(bittorrent >= VIDEO.length, `TCP + web seed: ${JSON.stringify(after.traffic)}`);
  const page = swarmFigures(await (await fetch(`${base}/items/${item.id}`)).text());
  assert.equal(page.completed, '1');
  assert.notEqual(page.tcp === '0 B' && page.webSeed === '0 B', true, JSON.stringify(page));

  // One request of each HTTP channel.
  const file = item.files[0].url as string;
  await (
    await fetch(file, { headers: { range: 'bytes=0-999', 'user-agent': 'libtorrent/2.0.8.0' } })
  ).arrayBuffer();
  await (await fetch(file, { headers: { range: 'bytes=0-', 'sec-fetch-dest': 'video' } })).arrayBuffer();
  await (await fetch(file)).arrayBuffer();
  await (await fetch(file, { headers: { range: 'bytes=0-99', 'x-seedcast-player': 'p2p' } })).arrayBuffer();
  await new Promise((r) => setTimeout(r, 200));
  const channels = (await api(base, `/api/v1/items/${item.id}`)).traffic;
  assert.equal(channels.webSeed - after.traffic.webSeed, 1000 + 100);
  assert.equal(channels.httpPlayer, VIDEO.length);
  assert.equal(channels.httpDownload, VIDEO.length);

  // Stopped and started again on the same data folder: the counts were flushed at close.
  await first.server.stop();
  const second = await serve(t, data, port, peerPort);
  const restarted = (await api(second.base, `/api/v1/items/${item.id}`)).traffic;
  for (const key of ['httpPlayer', 'httpDownload', 'webSeed', 'tcp'])
    assert.equal(restarted[key], channels[key], `${key} after a restart`);
});
