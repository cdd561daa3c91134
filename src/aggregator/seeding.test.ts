import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedingDone } from './seeding.js';
import { DEFAULT_SETTINGS, type DownloadRecord } from './state.js';

function record(uploaded: number, seededMs: number): DownloadRecord {
  return {
    id: '1',
    feed: 'f',
    guid: 'g',
    title: 't',
    base: '/b',
    status: 'complete',
    attempts: 1,
    queuedAt: '',
    seeding: { uploaded, downloaded: 0, seededMs, done: false },
  };
}

describe('seeding limits', () => {
  const settings = { ...DEFAULT_SETTINGS, seedRatio: 1.5, seedHours: 2 };
  it('stops at the ratio', () => {
    assert.equal(seedingDone(record(1499, 0), { length: 1000, settings }), false);
    assert.equal(seedingDone(record(1500, 0), { length: 1000, settings }), true);
  });
  it('stops at the time, counted over every run', () => {
    assert.equal(seedingDone(record(0, 2 * 3_600_000 - 1), { length: 1000, settings }), false);
    assert.equal(seedingDone(record(0, 2 * 3_600_000), { length: 1000, settings }), true);
  });
  it('a ratio or time of 0 means no seeding', () => {
    assert.equal(seedingDone(record(0, 0), { length: 1000, settings: { ...settings, seedRatio: 0 } }), true);
    assert.equal(seedingDone(record(0, 0), { length: 1000, settings: { ...settings, seedHours: 0 } }), true);
  });
});
