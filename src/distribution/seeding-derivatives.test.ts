import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { dataA, v1Multi } from '../../test/helpers/torrent-fixtures.js';
import type { DerivativeRepository, DerivativesTorrent } from '../catalog/index.js';
import type { Engine, TorrentSession } from '../engine/index.js';
import type { BlobStore } from '../storage/index.js';
import { DerivedSeeding } from './seeding-derivatives.js';

/** Derivatives torrents of items 1 and 2, an engine that records sessions, and who owns what. */
function setup(owned: Set<number>) {
  const bytes = v1Multi([{ path: ['clip.webm'], data: dataA }]);
  const torrents: DerivativesTorrent[] = [1, 2].map((itemId) => ({
    itemId,
    infoHash: `${itemId}`.repeat(40),
    infoHashV2: null,
    torrentKey: `derived/${itemId}.torrent`,
  }));
  const repo = {
    torrents: async () => torrents,
    torrent: async (id: number) => torrents.find((t) => t.itemId === id),
    list: async () => [{ path: 'clip.webm', blobKey: 'blob' }],
    itemOfInfoHash: async () => undefined,
  } as unknown as DerivativeRepository;
  const blobs = { get: async () => Readable.from([bytes]) } as unknown as BlobStore;
  const running = new Set<TorrentSession>();
  const engine = {
    add: async () => {
      const s = {
        infoHash: Buffer.alloc(20, running.size + 1),
        once: () => undefined,
      } as unknown as TorrentSession;
      running.add(s);
      return s;
    },
    remove: async (s: TorrentSession) => void running.delete(s),
  } as unknown as Engine;
  const tracked = new Set<string>();
  const derived = new DerivedSeeding({
    blobs,
    engine,
    derivatives: repo,
    track: (...h) => {
      for (const x of h) if (x) tracked.add(x);
    },
    untrack: (...h) => {
      for (const x of h) if (x) tracked.delete(x);
    },
    log: () => undefined,
    owns: (id) => owned.has(id),
  });
  return { derived, running, tracked };
}

test('with several nodes, a derivatives torrent is seeded by its item owner only, and tracked by all', async () => {
  const owned = new Set([1]);
  const { derived, running, tracked } = setup(owned);
  await derived.refresh();
  assert.ok(derived.isSeeding(1), 'owned: seeded');
  assert.ok(!derived.isSeeding(2), "another node's: not seeded");
  assert.equal(running.size, 1);
  assert.deepEqual([...tracked].sort(), ['1'.repeat(40), '2'.repeat(40)], 'both tracked');
  await derived.ensure(2);
  assert.ok(!derived.isSeeding(2), 'a request for the .torrent does not start it either');
  // The roster moves: item 2 is now this node's, item 1 another's.
  owned.clear();
  owned.add(2);
  await derived.refresh();
  assert.ok(!derived.isSeeding(1) && derived.isSeeding(2));
  assert.equal(running.size, 1, "item 1's session was stopped");
  assert.deepEqual([...tracked].sort(), ['1'.repeat(40), '2'.repeat(40)], 'still tracked');
});
