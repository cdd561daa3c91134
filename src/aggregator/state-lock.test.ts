import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { withStateEdit } from './state-lock.js';

function home(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'seedcast-state-lock-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('state edits', () => {
  it('run one at a time and release the lock, even when one throws', async (t) => {
    const dir = home(t);
    let inside = 0;
    let most = 0;
    const edit = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    };
    await Promise.all([...Array(8)].map(() => withStateEdit(dir, edit)));
    assert.equal(most, 1);
    await assert.rejects(
      withStateEdit(dir, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(!existsSync(join(dir, 'state.json.lock')));
  });

  it('take over a lock left by a dead process or too old; wait, then give up, on a live one', async (t) => {
    const dir = home(t);
    const lock = join(dir, 'state.json.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lock, `${dead}\n`);
    assert.equal(await withStateEdit(dir, async () => 'taken'), 'taken');
    writeFileSync(lock, `${process.pid}\n`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    assert.equal(await withStateEdit(dir, async () => 'stale'), 'stale');
    writeFileSync(lock, `${process.pid}\n`);
    await assert.rejects(
      withStateEdit(dir, async () => 'no', { waitMs: 100 }),
      /AGGREGATOR_BUSY|held by process/,
    );
    rmSync(lock);
  });
});
