import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { emptyState, loadState, saveState, statePath } from './state.js';

function home(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-state-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('aggregator state', () => {
  it('a missing state file reads as an empty state', async (t) => {
    const state = await loadState(join(home(t), 'nothing-here'));
    assert.deepEqual(state.feeds, []);
    assert.equal(state.settings.concurrency, 3);
  });

  it('round-trips through an atomic write and leaves no temporary file behind', async (t) => {
    const dir = home(t);
    const state = emptyState();
    state.settings.seedRatio = 1.5;
    state.feeds.push({
      url: 'http://example.com/feed',
      options: { recent: 1, autoDownload: true, keepLast: 2 },
      addedAt: new Date(0).toISOString(),
      errors: 0,
      initialized: false,
      seen: ['a'],
    });
    await saveState(dir, state);
    await saveState(dir, state);
    assert.deepEqual(readdirSync(dir), ['state.json']);
    const back = await loadState(dir);
    assert.equal(back.settings.seedRatio, 1.5);
    assert.deepEqual(back.feeds[0]!.seen, ['a']);
    assert.equal(back.feeds[0]!.options.keepLast, 2);
  });

  it('a state file that is not JSON is an AGGREGATOR_STATE error naming the file', async (t) => {
    const dir = home(t);
    writeFileSync(statePath(dir), '{"version": 1, "feeds": [');
    await assert.rejects(
      loadState(dir),
      (err) => isSeedcastError(err, 'AGGREGATOR_STATE') && /state\.json/.test(err.message),
    );
  });

  it('a stray temporary file from an interrupted write does not change what is read', async (t) => {
    const dir = home(t);
    await saveState(dir, emptyState());
    writeFileSync(join(dir, 'state.json.abc.tmp'), '{"version": 1, "fee');
    const back = await loadState(dir);
    assert.deepEqual(back.feeds, []);
    assert.match(readFileSync(statePath(dir), 'utf8'), /"version": 1/);
  });
});
