import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { PeerConnection } from '../wire/index.js';
import { Engine } from './engine.js';
import { FileStore } from './file-store.js';

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-session-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(3_000_000);
  writeFileSync(join(dir, 'seed', 'show.ogg'), data);
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'hybrid', pieceLength: 32768 })).torrent,
  );
  const engines: Engine[] = [];
  t.after(() => Promise.all(engines.map((e) => e.close())));
  const engine = async (options: { superSeed?: boolean; maxPeers?: number } = {}) => {
    const e = new Engine(options);
    await e.listen(0);
    engines.push(e);
    return e;
  };
  return { dir, data, meta, engine };
}

describe('TorrentSession', () => {
  it('downloads between two engines and both report what moved', async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seeder = await engine();
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    assert.equal(seed.complete, true, 'the seeder verified its data on start');
    const leecher = await engine();
    const got = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    await new Promise<void>((r) => got.once('complete', () => r()));
    assert.ok(readFileSync(join(dir, 'out', 'show.ogg')).equals(data));
    assert.equal(got.stats().left, 0);
    assert.ok(got.stats().downloaded >= data.length);
    assert.ok(seed.stats().uploaded >= data.length, 'the seeder counted its upload');
  });

  it('writes the blocks of a piece that arrive in order as one store write', async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seeder = await engine();
    await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const leecher = await engine();
    const sizes: number[] = [];
    const got = await leecher.add(
      { meta },
      {
        path: join(dir, 'out'),
        peers: [{ host: '127.0.0.1', port: seeder.port }],
        storeFor: (m) => {
          const inner = new FileStore(m, join(dir, 'out'));
          return {
            read: (offset, length) => inner.read(offset, length),
            write: (offset, block) => {
              sizes.push(block.byteLength);
              return inner.write(offset, block);
            },
            close: () => inner.close(),
          };
        },
      },
    );
    await new Promise<void>((r) => got.once('complete', () => r()));
    assert.ok(readFileSync(join(dir, 'out', 'show.ogg')).equals(data));
    // 92 pieces of two 16 KiB blocks: a write per block would be 184 writes.
    assert.ok(sizes.length < 1.5 * meta.pieceCount, `${sizes.length} writes for ${meta.pieceCount} pieces`);
    assert.ok(Math.max(...sizes) > 16384, 'some writes carry more than one block');
  });

  it('learns peers through peer exchange (BEP 11)', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine();
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    // Two leechers that only know the seeder; keep them from finishing by giving them nothing to read.
    const a = await engine();
    const b = await engine();
    seed.uploader.setChoked = () => {}; // the seeder never unchokes: the leechers stay incomplete
    const sa = await a.add(
      { meta },
      { path: join(dir, 'a'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    const sb = await b.add(
      { meta },
      { path: join(dir, 'b'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    const deadline = Date.now() + 15_000;
    const connectedToEachOther = () =>
      [...sa.peers.values()].some((p) => p.conn.remote?.peerId.equals(b.peerId)) ||
      [...sb.peers.values()].some((p) => p.conn.remote?.peerId.equals(a.peerId));
    while (!connectedToEachOther() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(connectedToEachOther(), 'the leechers found each other through the seeder');
  });

  it('super-seeds: leechers get distinct pieces from the seed and copy the rest from each other', async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seeder = await engine({ superSeed: true });
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const leechers = [await engine(), await engine(), await engine()];
    const everyone = [seeder, ...leechers].map((e) => ({ host: '127.0.0.1', port: e.port }));
    const sessions = await Promise.all(
      leechers.map((e, i) =>
        e.add({ meta }, { path: join(dir, `out-${i}`), peers: everyone.filter((p) => p.port !== e.port) }),
      ),
    );
    await Promise.all(
      sessions.map((s) => (s.complete ? undefined : new Promise<void>((r) => s.once('complete', () => r())))),
    );
    for (let i = 0; i < leechers.length; i++)
      assert.ok(readFileSync(join(dir, `out-${i}`, 'show.ogg')).equals(data), `leecher ${i} is byte-exact`);
    const uploaded = seed.stats().uploaded;
    assert.ok(uploaded >= data.length, `the seed sent every piece at least once (${uploaded})`);
    assert.ok(
      uploaded < 1.5 * data.length,
      `the seed sent ${(uploaded / data.length).toFixed(2)} copies; a plain seed would send up to 3`,
    );
    const fromPeers = sessions.reduce((sum, s) => sum + s.stats().uploaded, 0);
    assert.ok(fromPeers > data.length, `the leechers traded ${fromPeers} bytes among themselves`);
  });

  it('super-seeds a lone leecher the whole torrent', async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seeder = await engine({ superSeed: true });
    await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const leecher = await engine();
    const got = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    await new Promise<void>((r) => got.once('complete', () => r()));
    assert.ok(readFileSync(join(dir, 'out', 'show.ogg')).equals(data));
  });

  it('a super-seed at its peer limit makes room for a newcomer by dropping a seed', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine({ superSeed: true, maxPeers: 2 });
    const seed = await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
    const dial = async (n: number, haveAll: boolean) => {
      const socket = connect(seeder.port, '127.0.0.1');
      const conn = new PeerConnection(socket, {
        peerId: Buffer.from(`-TEST0${n}-000000000000`),
        infoHash: Buffer.from(meta.infoHash, 'hex'),
      });
      t.after(() => conn.destroy());
      conn.on('handshake', () => conn.send({ type: haveAll ? 'haveAll' : 'haveNone' }));
      const closed = new Promise<void>((r) => conn.once('close', () => r()));
      socket.once('connect', () => conn.start());
      const deadline = Date.now() + 10_000;
      const known = () =>
        [...seed.peers.values()].some((p) => p.conn.remote?.peerId.toString().startsWith(`-TEST0${n}`));
      while (!known() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return { conn, closed, known };
    };
    const a = await dial(1, true);
    const b = await dial(2, true);
    await new Promise((r) => setTimeout(r, 300)); // their have-alls arrive
    assert.equal(seed.peers.size, 2, 'two seeds fill the limit and stay connected');
    const c = await dial(3, false);
    assert.ok(c.known(), 'the newcomer was taken in');
    assert.equal(seed.peers.size, 2);
    await Promise.race([a.closed, b.closed]);
    assert.ok(!a.known() || !b.known(), 'one seed made room');
  });
});
