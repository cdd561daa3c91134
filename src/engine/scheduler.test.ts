import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { Engine } from './engine.js';
import { type Scheduled, Scheduler } from './scheduler.js';

/** A fake session: counts its ticks, idle from `idleFrom` on until `until`. */
function fake(idle: { from: number; until: number | undefined }) {
  const s = {
    ticks: 0,
    tick: () => {
      s.ticks++;
    },
    idleUntil: (now: number) => (now >= idle.from ? idle.until : undefined),
  } satisfies Scheduled & { ticks: number };
  return s;
}

describe('Scheduler', () => {
  it('ticks active sessions each period and idle ones only when due', () => {
    let now = 10_000;
    const scheduler = new Scheduler({ now: () => now });
    const busy = fake({ from: Number.POSITIVE_INFINITY, until: undefined });
    const sleeper = fake({ from: 0, until: 15_500 });
    const forever = fake({ from: 0, until: Number.POSITIVE_INFINITY });
    for (const s of [busy, sleeper, forever]) scheduler.add(s);
    try {
      scheduler.run(); // everyone's first tick; two of them go to sleep
      assert.deepEqual([busy.ticks, sleeper.ticks, forever.ticks], [1, 1, 1]);
      assert.equal(scheduler.activeCount, 1);
      assert.equal(scheduler.sleepingCount, 2);
      for (let i = 0; i < 4; i++) {
        now += 1000;
        scheduler.run();
      }
      assert.deepEqual([busy.ticks, sleeper.ticks, forever.ticks], [5, 1, 1], 'sleepers not ticked');
      now += 1000; // 15,000: the sleeper's slot
      scheduler.run();
      assert.equal(sleeper.ticks, 2, 'ticked in the second it was due');
      now += 1000;
      scheduler.run();
      assert.equal(forever.ticks, 1);
      scheduler.wake(forever);
      now += 1000;
      scheduler.run();
      assert.equal(forever.ticks, 2, 'woken, ticked again');
      scheduler.remove(busy);
      now += 1000;
      scheduler.run();
      assert.equal(busy.ticks, 8, 'not ticked once removed');
    } finally {
      scheduler.close();
    }
  });

  it('a slow timer still wakes every sleeper whose slot passed', () => {
    let now = 0;
    const scheduler = new Scheduler({ now: () => now });
    const sleeper = fake({ from: 0, until: 2_000 });
    scheduler.add(sleeper);
    try {
      scheduler.run();
      now = 9_000; // the event loop was blocked for 9 s
      scheduler.run();
      assert.equal(sleeper.ticks, 2);
    } finally {
      scheduler.close();
    }
  });

  it("an engine's complete seeds without peers or trackers sleep; a connecting peer wakes its seed", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-sched-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const data = randomBytes(200_000);
    writeFileSync(join(dir, 'a.bin'), data);
    const meta = parseTorrent((await createTorrent(join(dir, 'a.bin'), { version: 'v1' })).torrent);
    const seeder = new Engine();
    const leecher = new Engine();
    t.after(() => Promise.all([seeder.close(), leecher.close()]));
    await seeder.listen(0);
    await leecher.listen(0);
    const seed = await seeder.add({ meta }, { path: dir, readOnly: true, trusted: true });
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(seeder.scheduler.activeCount, 0, 'the idle seed is not ticked');
    assert.equal(seeder.scheduler.isSleeping(seed.scheduled), true);
    assert.equal(seed.picker, seed.pickerState, 'the picker of an idle seed is made only on demand');
    seed.pickerState = undefined;
    const got = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    await new Promise<void>((r) => got.once('complete', () => r()));
    assert.equal(seeder.scheduler.isSleeping(seed.scheduled), false, 'woken by the peer');
  });
});
