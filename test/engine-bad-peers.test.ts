/**
 * Scenarios with hostile input: peers that send malformed, oversized or out-of-protocol messages
 * are dropped while the seeder keeps serving; a peer that sends bad pieces is banned and the
 * download still completes intact from a good source; a torrent whose paths climb out of the
 * download folder is refused before anything is written.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { Engine } from '../src/engine/index.js';
import { createTorrent, type Metainfo, parseTorrent } from '../src/torrent/index.js';
import { encodeHandshake, PeerConnection } from '../src/wire/index.js';
import { startRangeServer } from './helpers/range-server.js';
import { runCli, tempDir } from './helpers/tools.js';

async function fixture(t: TestContext) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(1_000_000);
  writeFileSync(join(dir, 'seed', 'clip.webm'), data);
  const created = await createTorrent(join(dir, 'seed', 'clip.webm'), { version: 'v1', pieceLength: 65536 });
  const meta = parseTorrent(created.torrent);
  return { dir, data, meta };
}

async function startSeeder(t: TestContext, dir: string, meta: Metainfo) {
  const engine = new Engine();
  const port = await engine.listen(0);
  await engine.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
  t.after(() => engine.close());
  return port;
}

/** Send `bytes` to the peer at `port` and resolve once it closes the connection (or reject after 5 s). */
function expectDropped(port: number, bytes: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => {
      for (const b of bytes) socket.write(b);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the peer was not dropped'));
    }, 5000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const frame = (id: number, payload: number[] = []) => {
  const b = Buffer.alloc(5 + payload.length);
  b.writeUInt32BE(1 + payload.length, 0);
  b[4] = id;
  Buffer.from(payload).copy(b, 5);
  return b;
};

async function downloadWith(
  t: TestContext,
  meta: Metainfo,
  out: string,
  options: { peers?: number[]; webSeeds?: string[] },
) {
  const engine = new Engine();
  await engine.listen(0);
  t.after(() => engine.close());
  const session = await engine.add(
    { meta },
    {
      path: out,
      peers: (options.peers ?? []).map((port) => ({ host: '127.0.0.1', port })),
      webSeeds: options.webSeeds ?? [],
    },
  );
  if (!session.complete) await new Promise<void>((r) => session.once('complete', () => r()));
  return session;
}

describe('hostile peers', { timeout: 240_000 }, () => {
  it('drops peers that send malformed, oversized or out-of-protocol messages, and keeps serving', async (t) => {
    const { dir, data, meta } = await fixture(t);
    const port = await startSeeder(t, dir, meta);
    const infoHash = Buffer.from(meta.infoHash, 'hex');
    const hello = encodeHandshake(infoHash, Buffer.from('-XX0001-hostilepeer1'), {
      extensions: { fast: true },
    });
    const cases: [string, Buffer[]][] = [
      ['not BitTorrent at all', [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]],
      ['a handshake for a torrent we do not have', [encodeHandshake(randomBytes(20), randomBytes(20))]],
      ['a message length of 2 GiB', [hello, Buffer.from([0x7f, 0xff, 0xff, 0xff, 7])]],
      ['a have message of the wrong size', [hello, frame(4, [0, 0, 0])]],
      ['a have for a piece that does not exist', [hello, frame(4, [0, 0, 0x10, 0])]],
      [
        'a request past the end of the piece',
        [hello, frame(2), frame(6, [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 0])],
      ],
      ['a request for 1 MiB', [hello, frame(2), frame(6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0])]],
      ['a bitfield of the wrong length', [hello, frame(5, [0xff, 0xff, 0xff])]],
    ];
    for (const [what, bytes] of cases) await assert.doesNotReject(expectDropped(port, bytes), what);

    const out = join(dir, 'good');
    await downloadWith(t, meta, out, { peers: [port] });
    assert.ok(readFileSync(join(out, 'clip.webm')).equals(data), 'a good peer still downloads everything');
  });

  it('bans a peer that sends bad pieces and completes intact from a good source', async (t) => {
    const { dir, data, meta } = await fixture(t);
    // A seeder that claims every piece and answers every request with random bytes.
    const liar = createServer((socket) => {
      const conn = new PeerConnection(socket, {
        peerId: Buffer.from('-XX0001-liarliarliar'),
        acceptInfoHash: () => true,
      });
      conn.on('handshake', () => {
        conn.send({
          type: 'bitfield',
          bitfield: Buffer.alloc(Math.ceil(meta.pieceCount / 8), 0xff).fill(0xff),
        });
        conn.send({ type: 'unchoke' });
      });
      conn.on('message', (m) => {
        if (m.type === 'request') conn.sendPiece(m.index, m.begin, randomBytes(m.length));
      });
      conn.on('close', () => socket.destroy());
      conn.start();
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    t.after(() => liar.close());
    const liarPort = (liar.address() as { port: number }).port;
    // The good source is slow, so the liar gets plenty of requests first.
    const web = await startRangeServer(t, join(dir, 'seed'), { bytesPerSecond: 400_000 });
    const out = join(dir, 'out');
    const session = await downloadWith(t, meta, out, {
      peers: [liarPort],
      webSeeds: [`${web.url}clip.webm`],
    });
    assert.ok(readFileSync(join(out, 'clip.webm')).equals(data), 'the file is intact');
    assert.ok(session.banned.has('127.0.0.1'), 'the liar was banned');
    assert.ok(session.stats().wasted > 0, 'its data was thrown away');
  });
});

describe('path attacks', { timeout: 240_000 }, () => {
  it('stores a torrent whose paths would leave the download folder inside it, under sanitised names', async (t) => {
    const dir = tempDir(t);
    const payload = Buffer.from('owned');
    const other = Buffer.from('second file');
    const info = {
      files: [
        { length: payload.length, path: ['..', '..', 'escaped.txt'] },
        { length: other.length, path: ['/etc', '..\\..\\x'] },
      ],
      name: 'innocent',
      'piece length': 16384,
      pieces: createHash('sha1')
        .update(Buffer.concat([payload, other]))
        .digest(),
    };
    // A web seed holding the files where our engine asks for them: the torrent's own path, except
    // for a `..` component (a URL cannot carry it), libtorrent's sanitised path.
    mkdirSync(join(dir, 'seed', 'innocent', 'etc'), { recursive: true });
    writeFileSync(join(dir, 'seed', 'innocent', 'escaped.txt'), payload);
    writeFileSync(join(dir, 'seed', 'innocent', 'etc', '..\\..\\x'), other);
    const web = await startRangeServer(t, join(dir, 'seed'));
    writeFileSync(join(dir, 'evil.torrent'), encode({ info, 'url-list': web.url }));
    const out = join(dir, 'a', 'b');
    mkdirSync(out, { recursive: true });
    const result = await runCli([
      'download',
      join(dir, 'evil.torrent'),
      '-o',
      out,
      '--port',
      '0',
      '--no-dht',
      '--no-lsd',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(join(out, 'innocent', 'escaped.txt')).equals(payload));
    assert.ok(readFileSync(join(out, 'innocent', 'etc', '....x')).equals(other));
    assert.equal(existsSync(join(dir, 'escaped.txt')), false);
    assert.equal(existsSync(join(dir, 'a', 'escaped.txt')), false);
    assert.deepEqual(readdirSync(out), ['innocent']);
  });
});
