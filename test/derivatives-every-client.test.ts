/**
 * Derivatives travel like originals, to every client (issue 18 with issue 16's rule): a real
 * `seedcast serve` makes a WAV's MP3 and waveform with its job workers, and then, from the site
 * alone, aria2c, `seedcast download` and Transmission 3.00 each fetch the item's derivatives torrent
 * by its `.torrent` and by its magnet, byte-exact against the files the site serves over HTTP
 * (libtorrent does the same in `derivatives-swarm.test.ts`). Transmission 3 ignores 127.x peers,
 * so the site listens on the host side of a veth pair and Transmission runs in the namespace
 * (`makeNetns`; root needed). Skips loudly without the clients (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ClientName, downloadWith, makeNetns } from './helpers/clients.js';
import { startSiteProc } from './helpers/site-proc.js';
import { requireNetns } from './helpers/site-swarm.js';
import { requireTools, run } from './helpers/tools.js';

interface DerivativeJson {
  kind: string;
  url: string;
  torrentUrl?: string;
  magnet?: string;
}

test('aria2c, seedcast and Transmission download a derivatives torrent from the site alone, by .torrent and by magnet', {
  timeout: 600_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe', 'aria2c', 'transmission-cli', 'ip') || !requireNetns(t)) return;
  const ns = makeNetns(t);
  const site = await startSiteProc(t, { host: ns.hostIp });
  const wav = join(site.dir, 'talk.wav');
  run('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=3', wav]);
  const { item } = await site.publish('A talk', { 'talk.wav': readFileSync(wav) });

  let derivatives: DerivativeJson[] = [];
  const deadline = Date.now() + 180_000;
  for (;;) {
    const now = await site.api(`/api/v1/items/${item.id}`);
    assert.notEqual(now.processing?.state, 'failed', JSON.stringify(now.processing));
    if (now.processing?.state === 'done') {
      derivatives = now.derivatives;
      break;
    }
    assert.ok(Date.now() < deadline, `processing: ${JSON.stringify(now.processing)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const mp3 = derivatives.find((d) => d.kind === 'audio');
  assert.ok(mp3?.torrentUrl && mp3.magnet, `an MP3 with its torrent: ${JSON.stringify(derivatives)}`);
  const expected = new Map<string, Buffer>();
  for (const d of derivatives) {
    const name = decodeURIComponent(new URL(d.url).pathname.split('/').pop()!);
    expected.set(name, Buffer.from(await (await fetch(d.url)).arrayBuffer()));
  }
  const torrentPath = join(site.dir, 'derivatives.torrent');
  writeFileSync(torrentPath, Buffer.from(await (await fetch(mp3.torrentUrl)).arrayBuffer()));

  const clients: ClientName[] = ['aria2c', 'seedcast', 'transmission'];
  for (const client of clients)
    for (const [how, source] of [
      ['.torrent', torrentPath],
      ['magnet', mp3.magnet],
    ] as const) {
      const out = join(site.dir, `${client}-${how.replace('.', '')}`);
      const got = await downloadWith(t, client, {
        torrent: source,
        out,
        dir: site.dir,
        ms: 120_000,
        ...(client === 'transmission' ? { ns } : {}),
      });
      assert.ok(got.ok, `${client} by ${how} finished:\n${got.log}`);
      for (const [name, bytes] of expected) {
        const copy = readFileSync(join(out, 'derivatives', name));
        assert.ok(copy.equals(bytes), `${client} by ${how}: ${name} is byte-exact`);
      }
      t.diagnostic(`${client} by ${how}: ${got.seconds.toFixed(1)} s`);
    }
});
