import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
      options: { recent: 1, autoDownload: true, keepLast: 2, httpFallback: true },
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

  it('survives kill -9 at any moment of a stream of writes', async (t) => {
    const dir = home(t);
    const module = new URL('./state.ts', import.meta.url).href;
    const script = `
      import { emptyState, saveState } from ${JSON.stringify(module)};
      const state = emptyState();
      for (let i = 0; ; i++) {
        state.downloads.push({ id: String(i), feed: 'f', guid: 'g' + i, title: 'x'.repeat(i % 5000), base: '/b', status: 'queued', attempts: 0, queuedAt: '' });
        await saveState(process.argv[1], state);
        if (i === 0) process.stdout.write('ready\\n');
      }`;
    let lastCount = 0;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const state = await loadState(dir); // never torn
      assert.ok(state.downloads.length >= 1);
      lastCount = state.downloads.length;
    }
    assert.ok(lastCount > 0);
  });
});
