/**
 * `node --import tsx bench/webrtc-transfer.ts`: one torrent (BENCH_SIZE_MB, default 64 MiB) moved
 * from one Seedcast engine to another over TCP and over one WebRTC data channel (`@roamhq/wrtc` on
 * both sides, loopback), with the seed plain and super-seeding (the site's setting), in the same run.
 * Also the raw data channel (bytes through `DataChannelStream`, no BitTorrent). Prints MiB/s and the
 * WebRTC/TCP ratio. The browser figure (WebTorrent in Chromium from the site's peer) is printed by
 * `WEBRTC_INTEROP='{"size":67108864,"compare":true}' unshare -n sh -c 'ip link set lo up && node
 * --import tsx test/helpers/webrtc-interop-child.ts'`.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, WebRtcTransport, webRtcAvailability } from '../src/engine/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';

const SIZE = Number(process.env.BENCH_SIZE_MB ?? 64) * 1024 * 1024;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const available = await webRtcAvailability();
  if (!available.on) throw new Error(available.reason);
  const module = available.module;
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-webrtc-'));
  try {
    // The raw channel: what one data channel carries without the wire protocol.
    {
      const a = new WebRtcTransport(module);
      const b = new WebRtcTransport(module);
      const offer = await a.createOffer();
      let theirs: (s: import('node:stream').Duplex) => void = () => {};
      const got = new Promise<import('node:stream').Duplex>((r) => (theirs = r));
      const answer = await b.answerOffer(offer.sdp, { onStream: (s) => theirs(s) });
      const ours = await offer.accept(answer);
      const sink = await got;
      let n = 0;
      const done = new Promise<void>((r) =>
        sink.on('data', (c: Buffer) => {
          n += c.byteLength;
          if (n >= SIZE) r();
        }),
      );
      const chunk = randomBytes(256 * 1024);
      const t0 = performance.now();
      for (let sent = 0; sent < SIZE; sent += chunk.byteLength)
        if (!ours.write(chunk)) await once(ours, 'drain');
      await done;
      const s = (performance.now() - t0) / 1000;
      console.log(`raw data channel: ${(SIZE / MiB / s).toFixed(1)} MiB/s`);
      a.close();
      b.close();
    }
    mkdirSync(join(dir, 'seed'));
    writeFileSync(join(dir, 'seed', 'file.bin'), randomBytes(SIZE));
    const meta = parseTorrent(
      (await createTorrent(join(dir, 'seed', 'file.bin'), { pieceLength: 256 * 1024 })).torrent,
    );
    for (const superSeed of [false, true]) {
      const rates: Record<string, number> = {};
      for (const via of ['tcp', 'webrtc'] as const) {
        const seeder = new Engine({ superSeed });
        await seeder.listen(0);
        await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
        const leecher = new Engine();
        await leecher.listen(0);
        const out = join(dir, `out-${via}-${superSeed}`);
        const a = new WebRtcTransport(module);
        const b = new WebRtcTransport(module);
        const t0 = performance.now();
        const session = await leecher.add(
          { meta },
          { path: out, ...(via === 'tcp' ? { peers: [{ host: '127.0.0.1', port: seeder.port }] } : {}) },
        );
        if (via === 'webrtc') {
          const offer = await a.createOffer();
          const answer = await b.answerOffer(offer.sdp, {
            onStream: (s, remote) => seeder.acceptStream(s, { ...remote, transport: 'webrtc' }),
          });
          leecher.connectStream(await offer.accept(answer), session, {
            host: 'seed',
            port: 0,
            transport: 'webrtc',
          });
        }
        await once(session, 'complete');
        const s = (performance.now() - t0) / 1000;
        rates[via] = SIZE / MiB / s;
        console.log(
          `${superSeed ? 'super-seed' : 'plain seed'} -> engine over ${via}: ${s.toFixed(2)} s, ${rates[via]!.toFixed(1)} MiB/s`,
        );
        a.close();
        b.close();
        await leecher.close();
        await seeder.close();
        rmSync(out, { recursive: true, force: true });
      }
      console.log(`  webrtc/tcp: ${(rates.webrtc! / rates.tcp!).toFixed(2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
