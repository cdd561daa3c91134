import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openAggregator } from '../../test/helpers/app-kit.js';
import { enforceBudget } from './budget.js';
import { libraryDir } from './paths.js';
import type { DownloadRecord } from './state.js';

async function library(t: TestContext) {
  const { home, aggregator } = await openAggregator(t);
  aggregator.state.feeds.push({
    url: 'http://example.test/f.xml',
    options: { recent: 3, autoDownload: true, keepLast: 0, httpFallback: true },
    addedAt: '2026-01-01T00:00:00Z',
    errors: 0,
    initialized: true,
    seen: [],
  });
  const dir = join(libraryDir(home), 'Show');
  mkdirSync(dir, { recursive: true });
  const add = (id: string, extra: Partial<DownloadRecord>): DownloadRecord => {
    const path = join(dir, `${id}.mp3`);
    if (extra.status !== 'queued') writeFileSync(path, Buffer.alloc(1000));
    const record: DownloadRecord = {
      id,
      feed: 'http://example.test/f.xml',
      guid: id,
      title: id,
      status: 'complete',
      base: join(dir, id),
      attempts: 1,
      queuedAt: '2026-01-01T00:00:00Z',
      ...(extra.status === 'queued' ? {} : { path }),
      ...extra,
    };
    aggregator.state.downloads.push(record);
    return record;
  };
  return { aggregator, add };
}

describe('enforceBudget', () => {
  it('deletes the oldest played episodes first, then the seeded ones, never one being listened to', async (t) => {
    const { aggregator, add } = await library(t);
    const playedOld = add('played-old', {
      completedAt: '2026-01-01T00:00:00Z',
      playedAt: '2026-01-05T00:00:00Z',
    });
    const playedNew = add('played-new', {
      completedAt: '2026-01-03T00:00:00Z',
      playedAt: '2026-01-04T00:00:00Z',
    });
    const seeded = add('seeded', {
      completedAt: '2026-01-02T00:00:00Z',
      seeding: { uploaded: 5000, downloaded: 1000, seededMs: 1, done: true },
    });
    const listening = add('listening', { completedAt: '2025-12-01T00:00:00Z', position: 12 });
    const fresh = add('fresh', { completedAt: '2025-12-02T00:00:00Z' });
    aggregator.state.settings.diskBudgetBytes = 2500; // 5000 on disk: three must go
    const removed = await enforceBudget(aggregator);
    assert.deepEqual(
      removed.map((r) => r.id),
      ['played-old', 'played-new', 'seeded'],
    );
    for (const r of [playedOld, playedNew, seeded]) {
      assert.equal(r.status, 'new');
      assert.equal(r.path, undefined);
    }
    assert.equal(existsSync(listening.path!), true);
    assert.equal(existsSync(fresh.path!), true);
    assert.equal(aggregator.budgetWait, undefined);
  });

  it('makes new downloads wait, with a reason, when nothing can go', async (t) => {
    const { aggregator, add } = await library(t);
    add('unplayed', { completedAt: '2026-01-01T00:00:00Z' });
    const queued = add('next', { status: 'queued' });
    aggregator.state.settings.diskBudgetBytes = 500;
    assert.deepEqual(await enforceBudget(aggregator), []);
    assert.match(aggregator.budgetWait ?? '', /disk budget/);
    aggregator.pump();
    assert.equal(queued.status, 'queued');
    assert.equal(aggregator.active.size, 0);
    assert.match(queued.waiting ?? '', /disk budget/);
    aggregator.state.settings.diskBudgetBytes = 0;
    await enforceBudget(aggregator);
    assert.equal(aggregator.budgetWait, undefined);
  });
});
