/**
 * The engine under the outbound policy, through real sockets: a peer's `ut_pex` (BEP 11) naming a
 * loopback listener, a torrent whose trackers (HTTP and UDP) and web seed are loopback listeners, and
 * an untrusted tracker handing out a loopback peer: nothing reaches the listeners under the default
 * policy, while trusted trackers (the operator's) and their peers still work. Each scenario also runs
 * with private addresses allowed, to show the listener is reachable (so the test can fail).
 * There is no public address to test against: a policy in which 127.0.0.2 stands for one plays it.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { Engine } from '../src/engine/index.js';
import { OutboundPolicy } from '../src/net/index.js';
import { createTorrent, type Metainfo, parseTorrent } from '../src/torrent/index.js';
import { PeerConnection } from '../src/wire/index.js';
import { tempDir } from './helpers/tools.js';

/** 127.0.0.2 counts as public; 127.0.0.1 and every other inside address stay refused. */
class PublicLoopbackTwo extends OutboundPolicy {
  override allowsAddress(ip: string): boolean {
    return ip === '127.0.0.2' || super.allowsAddress(ip);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP listener that counts connections (and closes them). */
async function tcpListener(
  t: TestContext,
  host = '127.0.0.1',
): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

async function torrent(t: TestContext, options: { announce?: string[][]; urlList?: string[] } = {}) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'seed'));
  writeFileSync(join(dir, 'seed', 'clip.webm'), randomBytes(200_000));
  const created = await createTorrent(join(dir, 'seed', 'clip.webm'), {
    version: 'v1',
    pieceLength: 65536,
    ...(options.announce ? { announce: options.announce } : {}),
    ...(options.urlList ? { urlList: options.urlList } : {}),
  });
  return { dir, meta: parseTorrent(created.torrent) };
}

async function engineWith(t: TestContext, options: ConstructorParameters<typeof Engine>[0]) {
  const engine = new Engine({ host: '127.0.0.1', ...options });
  await engine.listen(0);
  t.after(() => engine.close());
  return engine;
}

/** Connect to the engine as a peer and send one ut_pex naming `named`. */
async function sendPex(t: TestContext, port: number, meta: Metainfo, named: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  const conn = new PeerConnection(socket, {
    peerId: Buffer.from('-XX0001-pexpexpexpex'),
    infoHash: Buffer.from(meta.infoHash, 'hex'),
  });
  conn.on('close', () => undefined);
  conn.once('handshake', () => conn.sendExtendedHandshake({}));
  conn.start();
  for (let i = 0; i < 100 && !conn.supportsExtension('ut_pex'); i++) await sleep(50);
  assert.ok(conn.supportsExtension('ut_pex'), 'the engine offers ut_pex');
  conn.sendPex({ added: [{ host: '127.0.0.1', port: named, flags: 0x02 }] });
}

describe('the engine under the outbound policy', () => {
  for (const allowPrivate of [false, true]) {
    it(`a ut_pex naming a loopback address is ${allowPrivate ? 'dialled when private addresses are allowed' : 'never dialled by default'}`, async (t) => {
      const { dir, meta } = await torrent(t);
      const engine = await engineWith(t, { policy: new OutboundPolicy({ allowPrivate }) });
      await engine.add({ meta }, { path: join(dir, 'out') });
      const listener = await tcpListener(t);
      await sendPex(t, engine.port, meta, listener.port);
      for (let i = 0; i < 40 && listener.hits() === 0; i++) await sleep(100);
      assert.equal(listener.hits() > 0, allowPrivate, `connections to the named address: ${listener.hits()}`);
    });
  }

  for (const allowPrivate of [false, true]) {
    it(`a magnet's x.pe peer on loopback is ${allowPrivate ? 'dialled when allowed' : 'not dialled by default'}`, async (t) => {
      const { dir, meta } = await torrent(t);
      const listener = await tcpListener(t);
      const engine = await engineWith(t, { policy: new OutboundPolicy({ allowPrivate }) });
      await engine.add(
        { meta },
        { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: listener.port }] },
      );
      for (let i = 0; i < 20 && listener.hits() === 0; i++) await sleep(100);
      assert.equal(listener.hits() > 0, allowPrivate, `connections: ${listener.hits()}`);
    });
  }

  for (const allowPrivate of [false, true]) {
    it(`trackers (HTTP, UDP) and a web seed on loopback ${allowPrivate ? 'are contacted when allowed' : 'are never contacted by default'}`, async (t) => {
      const http = await tcpListener(t);
      const udp = createSocket('udp4');
      let datagrams = 0;
      udp.on('message', () => datagrams++);
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      t.after(() => udp.close());
      const { dir, meta } = await torrent(t, {
        announce: [
          [`http://127.0.0.1:${http.port}/announce?x=1`],
          [`udp://127.0.0.1:${udp.address().port}/announce`],
          [`http://localhost:${http.port}/announce`],
        ],
        urlList: [`http://127.0.0.1:${http.port}/ws/`],
      });
      const engine = await engineWith(t, { policy: new OutboundPolicy({ allowPrivate }) });
      const session = await engine.add({ meta }, { path: join(dir, 'out') });
      const warnings: string[] = [];
      session.on('warning', (w) => warnings.push(w));
      for (let i = 0; i < 40 && (http.hits() === 0 || datagrams === 0); i++) await sleep(100);
      if (allowPrivate) {
        assert.ok(http.hits() > 0 && datagrams > 0, `http ${http.hits()}, udp ${datagrams}`);
      } else {
        await sleep(1500);
        assert.equal(http.hits(), 0, 'no HTTP connection to the loopback tracker or web seed');
        assert.equal(datagrams, 0, 'no datagram to the loopback UDP tracker');
        assert.ok(
          warnings.some((w) => /web seed .* not used/.test(w)),
          `the web seed is refused: ${warnings.join('; ')}`,
        );
      }
    });
  }

  it("a trusted tracker's peers are dialled; an untrusted tracker's inside peers are not", async (t) => {
    const { dir, meta } = await torrent(t);
    const insidePeer = await tcpListener(t, '127.0.0.1');
    const outsidePeer = await tcpListener(t, '127.0.0.2');
    const trustedPeer = await tcpListener(t, '127.0.0.1');
    const tracker = (peers: { ip: string; port: number }[]) => {
      const server = createHttpServer((_req, res) => {
        res.end(
          encode(
            new Map<string, unknown>([
              ['interval', 1800],
              [
                'peers',
                peers.map(
                  (p) =>
                    new Map<string, unknown>([
                      ['ip', p.ip],
                      ['port', p.port],
                    ]),
                ),
              ],
            ]) as never,
          ),
        );
      });
      return server;
    };
    const untrusted = tracker([
      { ip: '127.0.0.1', port: insidePeer.port },
      { ip: '127.0.0.2', port: outsidePeer.port },
    ]);
    await new Promise<void>((resolve) => untrusted.listen(0, '127.0.0.2', resolve));
    t.after(() => new Promise<void>((resolve) => untrusted.close(() => resolve())));
    const own = tracker([{ ip: '127.0.0.1', port: trustedPeer.port }]);
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => own.close(() => resolve())));
    const ownUrl = `http://127.0.0.1:${(own.address() as AddressInfo).port}/announce`;
    const engine = await engineWith(t, {
      policy: new PublicLoopbackTwo(),
      trusted: (url) => url === ownUrl,
    });
    await engine.add(
      { meta },
      {
        path: join(dir, 'out'),
        trackers: [[ownUrl], [`http://127.0.0.2:${(untrusted.address() as AddressInfo).port}/announce`]],
      },
    );
    for (let i = 0; i < 50 && (outsidePeer.hits() === 0 || trustedPeer.hits() === 0); i++) await sleep(100);
    await sleep(500);
    assert.ok(outsidePeer.hits() > 0, 'the untrusted tracker’s public peer is dialled');
    assert.ok(trustedPeer.hits() > 0, 'the trusted tracker’s loopback peer is dialled');
    assert.equal(insidePeer.hits(), 0, 'the untrusted tracker’s loopback peer is not');
  });

  it("a public site's own tracker handing out an inside address (a same-host proxy's) is not dialled", async (t) => {
    // Behind a reverse proxy on the same host without --trust-proxy, every announce to the site's
    // tracker comes from 127.0.0.1 with the port the announcer chose: the site must not dial it.
    const { dir, meta } = await torrent(t);
    const proxied = await tcpListener(t, '127.0.0.1');
    const realPeer = await tcpListener(t, '127.0.0.2');
    const own = createHttpServer((_req, res) => {
      const peers = [
        { ip: '127.0.0.1', port: proxied.port },
        { ip: '127.0.0.2', port: realPeer.port },
      ].map(
        (p) =>
          new Map<string, unknown>([
            ['ip', p.ip],
            ['port', p.port],
          ]),
      );
      res.end(
        encode(
          new Map<string, unknown>([
            ['interval', 1800],
            ['peers', peers],
          ]) as never,
        ),
      );
    });
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => own.close(() => resolve())));
    const ownUrl = `http://127.0.0.1:${(own.address() as AddressInfo).port}/announce`;
    const engine = await engineWith(t, {
      policy: new PublicLoopbackTwo(),
      trusted: (url) => url === ownUrl,
      trustInsidePeers: () => false,
    });
    await engine.add({ meta }, { path: join(dir, 'out'), trackers: [[ownUrl]] });
    for (let i = 0; i < 50 && realPeer.hits() === 0; i++) await sleep(100);
    await sleep(500);
    assert.ok(realPeer.hits() > 0, 'the peer at a public address is dialled');
    assert.equal(proxied.hits(), 0, 'the loopback address from the own tracker is not');
  });
});
