import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import type { PeerAddress } from '../wire/index.js';
import { Engine } from './engine.js';
import { LocalDiscovery } from './lsd.js';
import { encodeAnnounce } from './lsd-message.js';

// An administratively scoped group and a port of our own: these tests deliver announces by unicast
// to 127.0.0.1 (the socket listens on every address), so they need no multicast route to pass.
const GROUP = '239.255.80.1';
const HASH = 'aa'.repeat(20);

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 30_000);
}

/**
 * Send datagrams to 127.0.0.1:port, in order: 20 at a time, so a flood arrives within a few event-loop
 * turns however busy the machine (one at a time took seconds under load, and the source's tokens came
 * back meanwhile), yet the receiving socket (same process) drains between batches and drops none.
 */
async function send(port: number, datagrams: Buffer[]): Promise<void> {
  const socket = createSocket('udp4');
  for (let i = 0; i < datagrams.length; i += 20) {
    const batch = datagrams.slice(i, i + 20);
    await Promise.all(
      batch.map((d) => new Promise<void>((r) => socket.send(d, port, '127.0.0.1', () => r()))),
    );
    await new Promise((r) => setImmediate(r));
  }
  socket.close();
  await new Promise((r) => setTimeout(r, 100));
}

function announce(port: number, lsdPort: number, hash = HASH, cookie = 'feedf00d'): Buffer {
  return encodeAnnounce({ group: { address: GROUP, port: lsdPort }, port, infoHash: hash, cookie });
}

async function discovery(t: TestContext) {
  const peers: [string, PeerAddress][] = [];
  const port = randomPort();
  const lsd = new LocalDiscovery(
    { port: () => 6881, torrents: () => [], onPeer: (hash, address) => peers.push([hash, address]) },
    { address: GROUP, port, address6: false },
  );
  await lsd.start();
  t.after(() => lsd.close());
  assert.ok(lsd.active, 'joined the group');
  return { lsd, port, peers };
}

describe('LocalDiscovery', () => {
  it("passes a neighbour's announce on once a minute, and at most four ports per address", async (t) => {
    const { port, peers } = await discovery(t);
    await send(port, [announce(7000, port), announce(7000, port)]);
    assert.deepEqual(peers, [[HASH, { host: '127.0.0.1', port: 7000 }]], 'the resend is not passed on again');
    await send(
      port,
      [7001, 7002, 7003, 7004, 7005].map((p) => announce(p, port)),
    );
    assert.deepEqual(
      peers.map(([, a]) => a.port),
      [7000, 7001, 7002, 7003],
    );
    await send(port, [announce(7005, port, 'bb'.repeat(20))]);
    assert.equal(peers.length, 5, 'another torrent has its own ports');
  });

  it('drops its own announces, junk and a flood past the rate limit', async (t) => {
    const { lsd, port, peers } = await discovery(t);
    await send(port, [announce(7000, port, HASH, lsd.cookie), randomBytes(100), announce(0, port)]);
    assert.equal(peers.length, 0);
    assert.equal(lsd.dropped.get('our own announce'), 1);
    assert.equal(lsd.dropped.get('bad Port'), 1);
    await send(
      port,
      Array.from({ length: 300 }, (_, i) => announce(7000, port, i.toString(16).padStart(40, '0'))),
    );
    assert.ok((lsd.dropped.get('rate limited') ?? 0) > 100, 'the source ran out of tokens');
    assert.ok(peers.length < 200, `only the burst was looked at (${peers.length})`);
  });
});

describe('LocalDiscovery announces', () => {
  it('announces each torrent, paced, and drops its own announces looped back', async (t) => {
    const port = randomPort();
    const hashes = Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(40, '0'));
    const peers: string[] = [];
    const lsd = new LocalDiscovery(
      { port: () => 6881, torrents: () => hashes, onPeer: (hash) => peers.push(hash) },
      { address: GROUP, port, address6: false },
    );
    const started = Date.now();
    await lsd.start();
    t.after(() => lsd.close());
    assert.ok(lsd.active, 'joined the group');
    const own = () => lsd.dropped.get('our own announce') ?? 0;
    const deadline = Date.now() + 5000;
    while (own() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const elapsed = Date.now() - started;
    // A burst of 10, then one every 500 ms: never more than that, however slow the machine.
    assert.ok(own() >= 10 && own() <= 10 + Math.floor(elapsed / 500) + 1, `${own()} in ${elapsed} ms`);
    assert.equal(peers.length, 0, 'our own announces are not peers');
  });
});

describe('LocalDiscovery joining', () => {
  it('joins on a later cycle a group it could not join at start', async (t) => {
    const port = randomPort();
    const blocker = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((r) => blocker.bind(port, '0.0.0.0', () => r()));
    const logs: string[] = [];
    const lsd = new LocalDiscovery(
      { port: () => 6881, torrents: () => [], onPeer: () => undefined, log: (m) => logs.push(m) },
      { address: GROUP, port, address6: false, intervalMs: 200 },
    );
    await lsd.start();
    t.after(() => lsd.close());
    assert.equal(lsd.active, false, 'the port was taken');
    assert.match(logs.join('\n'), /local discovery \(udp4\) off: bind EADDRINUSE/);
    await new Promise<void>((r) => blocker.close(() => r()));
    const deadline = Date.now() + 5000;
    while (!lsd.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(lsd.active, 'joined once the port was free');
  });
});

describe('Engine with local discovery', () => {
  it('dials LSD peers of public torrents only (BEP 27)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-lsd-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'episode.ogg'), randomBytes(100_000));
    const file = join(dir, 'a', 'episode.ogg');
    const open = parseTorrent((await createTorrent(file, { version: 'v1', pieceLength: 16384 })).torrent);
    const closed = parseTorrent(
      (await createTorrent(file, { version: 'v1', pieceLength: 16384, private: true })).torrent,
    );
    const lsdPort = randomPort();
    const engine = new Engine({ lsd: { address: GROUP, port: lsdPort, address6: false } });
    t.after(() => engine.close());
    await engine.listen(0);
    await engine.add({ meta: open }, { path: join(dir, 'a'), readOnly: true });
    await engine.add({ meta: closed }, { path: join(dir, 'a'), readOnly: true });

    const dialled: number[] = [];
    const servers = [0, 1].map((i) =>
      createServer((socket) => {
        dialled.push(i);
        socket.destroy();
      }),
    );
    t.after(() => {
      for (const s of servers) s.close();
    });
    const ports = await Promise.all(
      servers.map(
        (s) =>
          new Promise<number>((r) =>
            s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)),
          ),
      ),
    );
    await send(lsdPort, [
      announce(ports[0]!, lsdPort, closed.infoHash),
      announce(ports[1]!, lsdPort, open.infoHash),
    ]);
    const deadline = Date.now() + 10_000;
    while (dialled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(dialled, [1], 'dialled the peer of the public torrent, not of the private one');
  });
});
