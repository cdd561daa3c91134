import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DownloadRecord } from '../aggregator/index.js';
import type { AppContext } from './context.js';
import { episodeState, seedingIds } from './episode-state.js';

function record(id: string, status: DownloadRecord['status']): DownloadRecord {
  return {
    id,
    feed: 'http://x/f.xml',
    guid: id,
    title: id,
    status,
    base: '/tmp/x',
    attempts: 0,
    queuedAt: '',
  };
}

function fakeCtx(seeding: DownloadRecord[], active: string[] = []): AppContext {
  const aggregator = {
    active: new Map(active.map((id) => [id, {}])),
    seeder: { list: () => seeding.map((r) => ({ record: r, session: {} })) },
  };
  return { aggregator } as unknown as AppContext;
}

describe('episodeState', () => {
  it('is seeding only for a complete episode the seeder lists', () => {
    const a = record('a', 'complete');
    const b = record('b', 'complete');
    const ctx = fakeCtx([a]);
    assert.equal(episodeState(ctx, a), 'seeding');
    assert.equal(episodeState(ctx, b), 'complete');
    assert.equal(episodeState(ctx, b, { seeding: seedingIds(ctx) }), 'complete');
  });

  it('passes the other statuses through, and an active fetch reads downloading', () => {
    const ctx = fakeCtx([], ['q2']);
    for (const s of ['new', 'queued', 'downloading', 'failed'] as const)
      assert.equal(episodeState(ctx, record('x', s)), s);
    assert.equal(episodeState(ctx, record('q2', 'queued')), 'downloading');
    assert.equal(episodeState(ctx, record('r', 'removed')), 'new');
  });
});
