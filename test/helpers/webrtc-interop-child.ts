/**
 * Run inside a network namespace that has only loopback (see test/webrtc-interop-webtorrent.test.ts):
 * a real site with one published item, a page running the real WebTorrent browser client
 * (`webtorrent/dist/webtorrent.min.js`) in headless Chromium, signalling through the site's own
 * WebSocket tracker (`/announce`), which hands the offer to the site's WebRTC peer. The page downloads
 * the item by a magnet link with only that tracker: no web seed, no other peer. Prints one line `RESULT {json}`: the page's SHA-256 of
 * what it got, timings, and the site's per-transport traffic for the item. With `compare` in the
 * environment's options it also times the same download by a Node engine over TCP and over a
 * `@roamhq/wrtc` data channel from the same seed.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Engine, WebRtcTransport, webRtcAvailability } from '../../src/engine/index.js';
import { parseTorrent } from '../../src/torrent/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import { webRtcSite } from './webrtc-site.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
declare const window: any;

const options = JSON.parse(process.env.WEBRTC_INTEROP ?? '{}') as {
  size?: number;
  compare?: boolean;
  timeoutMs?: number;
  debug?: boolean;
};
const WEBTORRENT = fileURLToPath(import.meta.resolve('webtorrent/dist/webtorrent.min.js'));

function page(magnet: string): string {
  return `<!doctype html><meta charset="utf-8"><title>webtorrent interop</title>
<script type="module">
import WebTorrent from '/webtorrent.min.js';
const t0 = performance.now();
let firstByte;
const client = new WebTorrent();
client.on('error', (e) => { window.result = { error: String(e && e.message || e) }; });
client.add(${JSON.stringify(magnet)}, (torrent) => {
  torrent.on('download', () => { firstByte ??= performance.now() - t0; });
  torrent.on('done', async () => {
    const ms = performance.now() - t0;
    const buf = await torrent.files[0].arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
    window.result = {
      ms, firstByteMs: firstByte, length: buf.byteLength, received: torrent.received,
      peers: torrent.numPeers, webSeeds: torrent.urlList.length,
      sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
    };
  });
});
</script>`;
}

async function main(): Promise<void> {
  const size = options.size ?? 4 * 1024 * 1024;
  const { server, item, close } = await webRtcSite({ size });
  const peer = server.webrtc.peer;
  if (!peer) throw new Error(server.webrtc.status);
  const http = createServer((req, res) => {
    if (req.url === '/webtorrent.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(WEBTORRENT));
    } else if (req.url?.startsWith('/page')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(new URL(req.url, 'http://x').searchParams.get('magnet') ?? ''));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as { port: number }).port;
  const magnet = `magnet:?xt=urn:btih:${item.infoHash}&dn=${item.name}&tr=${encodeURIComponent(`${server.url.replace(/^http/, 'ws')}/announce`)}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
    timeout: 120_000,
  });
  const out: Record<string, unknown> = { size, expectedSha256: item.sha256 };
  try {
    const tab = await browser.newPage();
    tab.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    if (options.debug) tab.on('console', (m) => process.stderr.write(`page: ${m.text()}\n`));
    await tab.goto(`http://127.0.0.1:${port}/page?magnet=${encodeURIComponent(magnet)}`);
    await tab.waitForFunction(() => window.result, undefined, {
      timeout: options.timeoutMs ?? 240_000,
      polling: 200,
    });
    out.browser = await tab.evaluate(() => window.result);
    out.traffic = server.site.seeding.trafficOf(item.id);
    await tab.close();
    if (options.compare) out.compare = await compare(server.peerPort, item, peer);
  } finally {
    await browser.close();
    http.close();
    await close();
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

/** Times the same item downloaded from the site's peer by a Node engine over TCP, then over WebRTC. */
async function compare(
  peerPort: number,
  item: { torrent: Buffer; sha256: string; name: string; infoHash: string },
  sitePeer: NonNullable<Awaited<ReturnType<typeof webRtcSite>>['server']['webrtc']['peer']>,
): Promise<Record<string, unknown>> {
  const meta = { ...parseTorrent(item.torrent), announce: [], urlList: [] };
  const result: Record<string, unknown> = {};
  for (const via of ['tcp', 'webrtc'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-compare-'));
    const engine = new Engine();
    const available = await webRtcAvailability();
    const transport = available.on ? new WebRtcTransport(available.module) : undefined;
    try {
      const t0 = performance.now();
      const session = await engine.add(
        { meta },
        { path: dir, ...(via === 'tcp' ? { peers: [{ host: '127.0.0.1', port: peerPort }] } : {}) },
      );
      if (via === 'webrtc' && transport) {
        const offer = await transport.createOffer();
        const answer = await sitePeer.answer({
          infoHash: Buffer.from(item.infoHash, 'hex'),
          fromPeerId: engine.peerId,
          offerId: Buffer.alloc(20, 1),
          sdp: offer.sdp,
        });
        if (!answer) throw new Error('no answer');
        engine.connectStream(await offer.accept(answer), session, {
          host: 'site',
          port: 0,
          transport: 'webrtc',
        });
      }
      await new Promise<void>((r) => session.once('complete', () => r()));
      const ms = performance.now() - t0;
      const sha = createHash('sha256')
        .update(readFileSync(join(dir, item.name)))
        .digest('hex');
      result[via] = { ms, ok: sha === item.sha256 };
    } finally {
      transport?.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
