/**
 * One load generator process of the WebSocket rows of `npm run bench:tracker` (`tracker-ws.ts`
 * starts several, so that the generator is not what limits the trackers): opens `clients`
 * WebSocket connections (each from its own loopback address), 10 to a swarm, 25% seeders, and
 * announces on each in a closed loop for `seconds`, with `offers` offers of a 1 KiB SDP each.
 * Frames are serialised once per connection and told apart by a substring, not parsed, to keep
 * the generator cheap. Prints JSON: answers, offers received, seconds and sorted latencies (ms).
 *
 * Usage: node --import tsx bench/tracker-ws-load.ts URL SECONDS OFFERS CLIENTS FIRST_INDEX WARMUP
 */

import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const [url, secondsText, offersText, clientsText, firstText, warmupText] = process.argv.slice(2);
const seconds = Number(secondsText);
const offers = Number(offersText);
const clients = Number(clientsText);
const first = Number(firstText);
const warmup = Number(warmupText);
const PER_SWARM = 10;

const latin1 = (b: Buffer) => b.toString('latin1');
/** Swarms are shared by every generator: their hashes depend only on the index. */
const hashOf = (i: number) => latin1(Buffer.alloc(20, Math.floor(i / PER_SWARM) + 1));
const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n'.padEnd(1024, 'a');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const latencies: number[] = [];
let answered = 0;
let relayed = 0;
let measuring = false;
const starters: (() => void)[] = [];
const sockets: WebSocket[] = [];

await Promise.all(
  Array.from({ length: clients }, async (_, k) => {
    const i = first + k;
    const localAddress = `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) < 254 ? (i & 255) + 2 : 1}`;
    const ws = new WebSocket(url!, { perMessageDeflate: false, localAddress });
    sockets.push(ws);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    const frame = JSON.stringify({
      action: 'announce',
      info_hash: hashOf(i),
      peer_id: latin1(randomBytes(20)),
      numwant: offers,
      uploaded: 0,
      downloaded: 0,
      left: i % 4 === 0 ? 0 : 1000,
      offers: Array.from({ length: offers }, () => ({
        offer: { type: 'offer', sdp },
        offer_id: latin1(randomBytes(20)),
      })),
    });
    let sent = 0;
    const send = () => {
      sent = performance.now();
      ws.send(frame);
    };
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"offer"')) {
        if (measuring) relayed++;
        return;
      }
      if (!text.includes('"complete"')) return;
      if (measuring) {
        answered++;
        latencies.push(performance.now() - sent);
      }
      send();
    });
    starters.push(send);
  }),
);
for (const s of starters) s();
await sleep(warmup * 1000);
measuring = true;
const t0 = performance.now();
await sleep(seconds * 1000);
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
for (const ws of sockets) ws.terminate();
latencies.sort((a, b) => a - b);
// A sample of the latencies is enough for percentiles and keeps the output small.
const step = Math.max(1, Math.floor(latencies.length / 20_000));
process.stdout.write(
  JSON.stringify({ answered, relayed, elapsed, latencies: latencies.filter((_, j) => j % step === 0) }),
);
