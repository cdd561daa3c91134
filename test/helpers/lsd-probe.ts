/**
 * A test's ear and mouth on the LSD group (BEP 14), run inside a namespace from `netns.ts`:
 *   listen            -> joins 239.192.152.143:6771, prints {"from", "text"} for every datagram
 *   flood <infohash>  -> sends junk (oversized, wrong Host, bad ports), 20 valid announces of
 *                        another torrent with ports 1..20, then 500 random datagrams; prints {"sent": n}
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const GROUP = '239.192.152.143';
const PORT = 6771;
const [mode, infoHash = '00'.repeat(20)] = process.argv.slice(2);
const socket = createSocket({ type: 'udp4', reuseAddr: true });

function announce(port: string, host = `${GROUP}:${PORT}`, hash = infoHash): Buffer {
  return Buffer.from(
    `BT-SEARCH * HTTP/1.1\r\nHost: ${host}\r\nPort: ${port}\r\nInfohash: ${hash}\r\n\r\n\r\n`,
  );
}

if (mode === 'listen') {
  socket.bind(PORT, '0.0.0.0', () => {
    socket.addMembership(GROUP);
    console.log(JSON.stringify({ listening: true }));
  });
  socket.on('message', (msg, rinfo) =>
    console.log(JSON.stringify({ from: rinfo.address, text: msg.toString('latin1') })),
  );
} else {
  socket.bind(0, '0.0.0.0', async () => {
    const junk: Buffer[] = [];
    for (let i = 0; i < 5; i++) junk.push(Buffer.concat([announce('6881'), Buffer.alloc(2000, 'x')]));
    for (const p of ['0', '65536', 'x', '']) junk.push(announce(p));
    junk.push(announce('6881', '239.192.152.144:6771'));
    junk.push(announce('6881', `${GROUP}:${PORT}`, 'zz'.repeat(20)));
    // Another torrent's hash: every peer in the test shares 127.0.0.1, and the cap on ports per
    // address and torrent would (rightly) hold back the real download's port for a minute.
    for (let p = 1; p <= 20; p++) junk.push(announce(String(p), `${GROUP}:${PORT}`, 'ab'.repeat(20)));
    for (let i = 0; i < 500; i++) junk.push(randomBytes(1 + (i % 200))); // past the rate limit
    for (const datagram of junk) {
      await new Promise<void>((resolve) => socket.send(datagram, PORT, GROUP, () => resolve()));
    }
    console.log(JSON.stringify({ sent: junk.length }));
    socket.close();
  });
}
