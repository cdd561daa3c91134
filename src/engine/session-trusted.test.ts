import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent, type Metainfo, parseTorrent } from '../torrent/index.js';
import { Engine } from './engine.js';
import { FileStore, type PieceStore } from './file-store.js';

/** A read-only store over the seed's folder that counts the bytes read, and can corrupt a range. */
function countingStore(
  meta: Metainfo,
  dir: string,
  counter: { bytes: number; corrupt?: number },
): PieceStore {
  const inner = new FileStore(meta, dir, { readOnly: true });
  return {
    readOnly: true,
    read: async (offset, length) => {
      counter.bytes += length;
      const data = await inner.read(offset, length);
      const at = counter.corrupt;
      if (at !== undefined && at >= offset && at < offset + length) data[at - offset]! ^= 0xff;
      return data;
    },
    write: (offset, data) => inner.write(offset, data),
    close: () => inner.close(),
  };
}

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-trusted-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(1_000_000);
  writeFileSync(join(dir, 'seed', 'show.ogg'), data);
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'v1', pieceLength: 32768 })).torrent,
  );
  const engines: Engine[] = [];
  t.after(() => Promise.all(engines.map((e) => e.close())));
  const engine = async () => {
    const e = new Engine();
    await e.listen(0);
    engines.push(e);
    return e;
  };
  return { dir, data, meta, engine };
}

describe('trusted start', () => {
  it('starts as a full seed without reading the content, which a recheck reads whole', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine();
    const trusted = { bytes: 0 };
    const session = await seeder.add(
      { meta },
      { path: '', trusted: true, storeFor: (m) => countingStore(m, join(dir, 'seed'), trusted) },
    );
    assert.equal(session.complete, true);
    assert.equal(trusted.bytes, 0, 'nothing read at start');
    await seeder.remove(session);
    const rechecked = { bytes: 0 };
    const again = await seeder.add(
      { meta },
      { path: '', storeFor: (m) => countingStore(m, join(dir, 'seed'), rechecked) },
    );
    assert.equal(again.complete, true);
    assert.equal(rechecked.bytes, meta.length, 'the recheck read every byte');
  });

  it('treats the pieces named damaged as missing and reports them', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine();
    const counter = { bytes: 0 };
    const session = await seeder.add(
      { meta },
      {
        path: '',
        trusted: true,
        damaged: [3, 7],
        storeFor: (m) => countingStore(m, join(dir, 'seed'), counter),
      },
    );
    assert.deepEqual(session.damaged(), [3, 7]);
    assert.equal(session.have?.has(3), false);
    assert.equal(session.have?.count, meta.pieceCount - 2);
    assert.equal(counter.bytes, 0);
  });

  it('serves a downloader, hashing each piece once before its first block goes out', async (t) => {
    const { dir, data, meta, engine } = await setup(t);
    const seeder = await engine();
    const counter = { bytes: 0 };
    const seed = await seeder.add(
      { meta },
      { path: '', trusted: true, storeFor: (m) => countingStore(m, join(dir, 'seed'), counter) },
    );
    const leecher = await engine();
    const got = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    await new Promise<void>((r) => got.once('complete', () => r()));
    assert.ok(readFileSync(join(dir, 'out', 'show.ogg')).equals(data));
    assert.equal(seed.trust.checkedCount, meta.pieceCount, 'every piece checked once');
    assert.deepEqual(seed.damaged(), []);
  });

  it('a piece that fails its hash when first served is dropped and reported, not sent', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine();
    const bad = 5;
    const counter = { bytes: 0, corrupt: bad * meta.pieceLength + 100 };
    const seed = await seeder.add(
      { meta },
      { path: '', trusted: true, storeFor: (m) => countingStore(m, join(dir, 'seed'), counter) },
    );
    const damaged = new Promise<number[]>((r) => seed.once('damaged', r));
    const leecher = await engine();
    const got = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    assert.deepEqual(await damaged, [bad]);
    assert.equal(seed.have?.has(bad), false);
    assert.equal(seed.failure, undefined, 'the session carries on');
    // Every other piece arrives; the damaged one never does (nobody else has it).
    const deadline = Date.now() + 20_000;
    while (got.have!.count < meta.pieceCount - 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.have!.count, meta.pieceCount - 1);
    assert.equal(got.have!.has(bad), false);
    assert.equal(got.stats().wasted, 0, 'no bad data was sent');
  });

  it('a piece whose read fails for good is reported damaged instead of failing the session', async (t) => {
    const { dir, meta, engine } = await setup(t);
    const seeder = await engine();
    const inner = new FileStore(meta, join(dir, 'seed'), { readOnly: true });
    const seed = await seeder.add(
      { meta },
      {
        path: '',
        trusted: true,
        storeFor: () => ({
          readOnly: true,
          read: async (offset, length) => {
            if (offset < meta.pieceLength) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
            return inner.read(offset, length);
          },
          write: (offset, d) => inner.write(offset, d),
          close: () => inner.close(),
        }),
      },
    );
    const damaged = new Promise<number[]>((r) => seed.once('damaged', r));
    const leecher = await engine();
    await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    assert.deepEqual(await damaged, [0]);
    assert.equal(seed.failure, undefined);
    assert.equal(seed.running, true);
  });
});
