/**
 * The fixity service over a real database and job queue (SQLite, embedded queue): the scheduler
 * queues the items due (at most a batch, never twice); a job's pass is carried over several jobs
 * when it runs out of time and recorded once whole; damage found is handed to the seeding side and
 * recorded as repaired once the pieces read back whole (or as damaged with the error when the repair
 * fails); the file routes' check refuses damaged bytes until then; `/metrics` lines add up.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ItemRepository, UserRepository } from '../catalog/index.js';
import { type Database, openDatabase } from '../db/index.js';
import { EmbeddedJobQueue } from '../jobs/index.js';
import { LocalDiskStore, readAll } from '../storage/index.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { FIXITY_JOB, Fixity, type FixityRepairer } from './fixity.js';
import { SqlFixityStore } from './fixity-store.js';

const PIECE = 16_384;
let dir = '';
let n = 0;
const content = randomBytes(6 * PIECE + 100);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'seedcast-fixity-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'show.bin'), content);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function site(count: number) {
  const db: Database = await openDatabase({ sqlite: join(dir, `db-${++n}.sqlite`) });
  const blobs = new LocalDiskStore(join(dir, `blobs-${n}`));
  const owner = await new UserRepository(db, { scrypt: { N: 1024 } }).register({
    username: 'publisher',
    password: 'password1',
  });
  const items = new ItemRepository(db);
  const created = await createTorrent(join(dir, 'src', 'show.bin'), {
    pieceLength: PIECE,
    creationDate: null,
  });
  const meta = parseTorrent(created.torrent);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = `items/${i}/files/0`;
    await blobs.put(key, content);
    await blobs.put(`items/${i}/t.torrent`, created.torrent);
    const item = await items.create({
      ownerId: owner.id,
      title: `Show ${i}`,
      status: 'ready',
      torrentKey: `items/${i}/t.torrent`,
      files: [{ path: 'show.bin', length: content.length, blobKey: key }],
    });
    ids.push(item.id);
  }
  const close = async () => {
    await blobs.close();
    await db.destroy();
  };
  return { db, blobs, items, ids, meta, store: new SqlFixityStore(db), close };
}

const settings = { enabled: true, periodMs: 86_400_000, bytesPerSecond: 0 };

test('the scheduler queues what is due once; a pass runs over several jobs and is recorded whole', async (t) => {
  const s = await site(3);
  const queue = new EmbeddedJobQueue(s.db, { pollMs: 20 });
  t.after(async () => {
    await queue.close();
    await s.close();
  });
  const fixity = new Fixity({ ...s, settings, jobs: queue, batch: 2, sliceMs: 0 });
  assert.equal(await fixity.schedule(), 2);
  assert.equal(await fixity.schedule(), 0, 'a batch is queued already');
  const workers = queue.work(fixity.handlers(), { concurrency: 1 });
  await workers.idle();
  assert.equal(await fixity.schedule(), 1, 'the third item');
  for (let i = 0; i < 200 && (await s.store.due(Date.now(), 10)).length > 0; i++) {
    await workers.idle();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await fixity.schedule(), 0, 'none due within the period');
  await workers.close();
  for (const id of s.ids) {
    const r = await s.store.get(id);
    assert.deepEqual([r?.state, r?.damaged, r?.filesChecked], ['ok', [], 1], `item ${id}`);
    assert.ok((r?.bytesChecked ?? 0) >= content.length, `item ${id}: the whole pass is counted`);
  }
  // sliceMs 0: one piece per job, so a pass of 7 pieces took 7 jobs.
  const jobs = await queue.list({ kind: FIXITY_JOB, limit: 100 });
  assert.equal(jobs.length, 3 * s.meta.pieceCount);
  const totals = await s.store.totals();
  assert.deepEqual([totals.passes, totals.itemsVerified, totals.filesVerified], [3, 3, 3]);
});

test('damage goes to the seeding side; repaired once it reads back whole, or damaged with the error', async (t) => {
  const s = await site(2);
  t.after(() => s.close());
  const [a, b] = s.ids as [number, number];
  const calls: [number, number[]][] = [];
  const seeding: FixityRepairer = {
    isSeeding: () => true,
    repair: async (itemId, pieces) => {
      calls.push([itemId, [...pieces]]);
      if (itemId === b) throw new Error('no peer has the pieces');
      // As the swarm would: the good bytes of these pieces back.
      const bytes = await readAll(await s.blobs.get('items/0/files/0'));
      for (const i of pieces) content.copy(bytes, i * PIECE, i * PIECE, (i + 1) * PIECE);
      await s.blobs.put('items/0/files/0', bytes);
      return [...pieces];
    },
  };
  const logs: string[] = [];
  // One piece per batch: a repair never holds more than `repairBatchBytes` of pieces.
  const fixity = new Fixity({ ...s, settings, seeding, log: (m) => logs.push(m), repairBatchBytes: PIECE });
  t.after(() => fixity.close());
  for (const [i, at] of [
    [0, [PIECE + 1, 5 * PIECE]],
    [1, [10]],
  ] as const) {
    const bytes = await readAll(await s.blobs.get(`items/${i}/files/0`));
    for (const x of at) bytes[x]! ^= 1;
    await s.blobs.put(`items/${i}/files/0`, bytes);
  }
  const found = await fixity.check(a);
  assert.deepEqual(found?.damaged, [1, 5]);
  assert.equal(fixity.damagedRange(a, 'items/0/files/0', PIECE + 100, 10), true);
  assert.equal(fixity.damagedRange(a, 'items/0/files/0', 2 * PIECE, PIECE), false);
  await fixity.repair(a); // the one the check started
  await fixity.check(b);
  await fixity.repair(b);
  assert.deepEqual(calls, [
    [a, [1]],
    [a, [5]],
    [b, [0]],
  ]);
  const ra = await s.store.get(a);
  assert.deepEqual([ra?.state, ra?.damaged], ['repaired', []]);
  assert.equal(fixity.damagedRange(a, 'items/0/files/0', PIECE + 100, 10), false, 'served again');
  const rb = await s.store.get(b);
  assert.deepEqual([rb?.state, rb?.damaged, rb?.error], ['damaged', [0], 'no peer has the pieces']);
  assert.equal(fixity.damagedRange(b, 'items/1/files/0', 0, 1), true);
  const view = await fixity.view();
  assert.deepEqual(
    view.items.map((r) => [r.itemId, r.state]),
    [
      [b, 'damaged'],
      [a, 'repaired'],
    ],
  );
  const metrics = await fixity.metricsText();
  assert.match(metrics, /^# TYPE seedcast_fixity_pieces_repaired_total counter$/m);
  assert.match(metrics, /^seedcast_fixity_pieces_repaired_total 2$/m);
  assert.match(metrics, /^seedcast_fixity_damaged_pieces 1$/m);
  assert.match(metrics, /^seedcast_fixity_files_verified_total 2$/m);
  assert.match(logs.join('\n'), /item \d+: 1 piece\(s\) repaired from the swarm, 1 left/);
  assert.match(logs.join('\n'), /item \d+: 1 piece\(s\) repaired from the swarm\n/);
  assert.match(logs.join('\n'), /repair failed: no peer has the pieces/);
});

test('damage the seeding peer finds while serving is recorded and repaired, once more if found during a repair', async (t) => {
  const s = await site(1);
  t.after(() => s.close());
  const [a] = s.ids as [number];
  const heard: { listener?: (itemId: number, pieces: number[]) => void } = {};
  const calls: number[][] = [];
  const slow: { release?: () => void } = {};
  const seeding: FixityRepairer = {
    isSeeding: () => true,
    onDamaged: (listener) => {
      heard.listener = listener;
    },
    repair: async (_itemId, pieces) => {
      calls.push([...pieces]);
      if (calls.length === 1) await new Promise<void>((r) => (slow.release = r)); // the first one is slow
      return [...pieces];
    },
  };
  // Checks off: the seeding peer's findings are not listened to.
  new Fixity({ ...s, settings: { ...settings, enabled: false }, seeding });
  const unheard = heard.listener === undefined;
  assert.ok(unheard, 'not listened to');
  const fixity = new Fixity({ ...s, settings, seeding });
  t.after(() => fixity.close());
  const hear = heard.listener;
  assert.ok(hear);
  hear(a, [4, 2]);
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(await ok(), what);
  };
  await waitFor('the repair started', () => calls.length === 1);
  const during = await s.store.get(a);
  assert.deepEqual([during?.state, during?.damaged, during?.verifiedAt], ['repairing', [2, 4], null]);
  assert.equal(fixity.damagedRange(a, 'items/0/files/0', 2 * PIECE, 1), true, 'refused by the file routes');
  const text = await fixity.metricsText();
  assert.match(text, /^seedcast_fixity_damaged_pieces 2$/m);
  assert.match(text, /^seedcast_fixity_passes_total 0$/m);
  // Found while that repair runs: recorded, and repaired after it.
  hear(a, [6]);
  await waitFor('the finding recorded', async () => (await s.store.get(a))?.damaged.length === 3);
  slow.release?.();
  await waitFor('the second repair', () => calls.length === 2);
  await waitFor('repaired', async () => (await s.store.get(a))?.state === 'repaired');
  assert.deepEqual(calls, [[2, 4], [6]]);
  assert.equal(fixity.damagedRange(a, 'items/0/files/0', 2 * PIECE, 1), false, 'served again');
  assert.match(await fixity.metricsText(), /^seedcast_fixity_pieces_repaired_total 3$/m);
});
