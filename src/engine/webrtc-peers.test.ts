import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { seedFile } from '../../test/helpers/seed-file.js';
import { Engine } from './engine.js';
import { type WebRtcModule, WebRtcTransport, webRtcAvailability } from './transports/index.js';

async function wrtcOrSkip(t: TestContext): Promise<WebRtcModule | undefined> {
  const available = await webRtcAvailability();
  if (available.on) return available.module;
  if (process.env.CI === 'true') throw new Error(available.reason);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${available.reason} ***\n\n`);
  t.skip(available.reason);
  return undefined;
}

async function setup(t: TestContext, size: number) {
  const { dir, data, meta } = await seedFile(t, size, 'webrtc');
  const engines: Engine[] = [];
  const transports: WebRtcTransport[] = [];
  t.after(async () => {
    for (const x of transports) x.close();
    await Promise.all(engines.map((e) => e.close()));
  });
  const engine = async (options: { superSeed?: boolean } = {}) => {
    const e = new Engine(options);
    await e.listen(0);
    engines.push(e);
    return e;
  };
  const transport = (module: WebRtcModule) => {
    const x = new WebRtcTransport(module);
    transports.push(x);
    return x;
  };
  return { dir, data, meta, engine, transport };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('engine over WebRTC data channels', () => {
  it('a super-seeding engine serves a whole torrent to another engine over one data channel', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const { dir, data, meta, engine, transport } = await setup(t, 5_000_000);
    const seeder = await engine({ superSeed: true });
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const leecher = await engine();
    const got = await leecher.add({ meta }, { path: join(dir, 'out') });
    const answerer = transport(module);
    const offerer = transport(module);

    const offer = await offerer.createOffer();
    let remoteHost = '';
    const answer = await answerer.answerOffer(offer.sdp, {
      onStream: (stream, remote) => {
        remoteHost = remote.host;
        seeder.acceptStream(stream, { ...remote, transport: 'webrtc' });
      },
    });
    const stream: Duplex = await offer.accept(answer);
    leecher.connectStream(stream, got, { host: 'site', port: 0, transport: 'webrtc' });
    await new Promise<void>((r) => got.once('complete', () => r()));

    assert.equal(sha(readFileSync(join(dir, 'out', 'show.ogg'))), sha(data), 'byte-exact copy');
    assert.match(remoteHost, /^(127\.0\.0\.1|::1|[0-9a-f:.]+)$/, 'the peer address from the candidate pair');
    const up = seed.stats();
    assert.ok(up.uploadedBy.webrtc >= data.length, `uploaded over WebRTC: ${up.uploadedBy.webrtc}`);
    assert.equal(up.uploadedBy.tcp, 0);
    assert.equal(up.uploaded, up.uploadedBy.webrtc);
    const down = got.stats();
    assert.ok(down.downloadedBy.webrtc >= data.length);
    assert.equal(down.downloadedBy.tcp, 0);
  });

  it('counts TCP and WebRTC peers of one torrent apart', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const { dir, data, meta, engine, transport } = await setup(t, 1_500_000);
    const seeder = await engine();
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const overTcp = await engine();
    const tcpCopy = await overTcp.add(
      { meta },
      { path: join(dir, 'tcp'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    await new Promise<void>((r) => tcpCopy.once('complete', () => r()));
    const overRtc = await engine();
    const rtcCopy = await overRtc.add({ meta }, { path: join(dir, 'rtc') });
    const answerer = transport(module);
    const offer = await transport(module).createOffer();
    const answer = await answerer.answerOffer(offer.sdp, {
      onStream: (stream, remote) => seeder.acceptStream(stream, { ...remote, transport: 'webrtc' }),
    });
    overRtc.connectStream(await offer.accept(answer), rtcCopy, {
      host: 'site',
      port: 0,
      transport: 'webrtc',
    });
    await new Promise<void>((r) => rtcCopy.once('complete', () => r()));

    const { uploadedBy } = seed.stats();
    assert.ok(uploadedBy.tcp >= data.length && uploadedBy.tcp < 2 * data.length, `tcp ${uploadedBy.tcp}`);
    assert.ok(uploadedBy.webrtc >= data.length && uploadedBy.webrtc < 2 * data.length);
    assert.equal(sha(readFileSync(join(dir, 'rtc', 'show.ogg'))), sha(data));
  });

  it('a stream that is not BitTorrent is dropped like a bad TCP peer', async (t) => {
    const { dir, meta, engine } = await setup(t, 100_000);
    const seeder = await engine();
    await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    // A TCP socket stands in for any Duplex: acceptStream treats it as a WebRTC peer.
    const server = await new Promise<Server>((resolve) => {
      const s = createServer((socket) =>
        seeder.acceptStream(socket, { host: 'x', port: 0, transport: 'webrtc' }),
      );
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    t.after(() => server.close());
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    client.on('error', () => {});
    client.write(Buffer.alloc(68, 7));
    await new Promise((r) => client.once('close', r));
    assert.equal(seeder.list()[0]!.peers.size, 0);
  });
});
