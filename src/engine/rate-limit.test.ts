import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { seedFile } from '../../test/helpers/seed-file.js';
import { Engine } from './engine.js';
import { RateLimiter } from './rate-limit.js';
import type { TorrentSession } from './session.js';

async function swarm(t: TestContext, size: number) {
  const { dir, data, meta } = await seedFile(t, size, 'rate');
  const seeder = new Engine();
  const leecher = new Engine();
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.listen(0);
  await leecher.listen(0);
  await seeder.add({ meta }, { path: join(dir, 'seed'), readOnly: true });
  const download = async (): Promise<{ session: TorrentSession; started: number }> => {
    const started = performance.now();
    const session = await leecher.add(
      { meta },
      { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] },
    );
    return { session, started };
  };
  return { dir, data, seeder, download };
}

function complete(session: TorrentSession, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not complete after ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(performance.now());
    };
    if (session.complete) done();
    else session.once('complete', done);
  });
}

describe('RateLimiter', () => {
  it('lets a burst through, then spaces the rest at the rate (a fake clock)', async () => {
    let now = 0;
    const limiter = new RateLimiter(65536, () => now);
    // The burst: a quarter of a second (16 KiB), one block at once.
    await limiter.take(16384);
    let released = false;
    const next = limiter.take(16384).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(released, false, 'the second block waits for tokens');
    now += 250; // a quarter of a second at 64 KiB/s refills the 16 KiB taken
    const guard = setTimeout(() => undefined, 5000); // the limiter's timer does not hold the process
    await next;
    clearTimeout(guard);
    assert.equal(released, true);
    limiter.close();
  });

  it('lets every waiter through when the limit is lifted', async () => {
    const limiter = new RateLimiter(1024);
    await limiter.take(16384); // in debt for 15 seconds
    const waiting = [limiter.take(16384), limiter.take(16384)];
    limiter.setRate(0);
    await Promise.all(waiting);
    assert.equal(limiter.bytesPerSecond, 0);
  });
});

describe('Engine upload rate limit', () => {
  it('sends pieces to a real peer at the limit, within a tolerance', async (t) => {
    const size = 1_000_000;
    const rate = 256 * 1024;
    const { dir, data, seeder, download } = await swarm(t, size);
    seeder.setUploadRateLimit(rate);
    assert.equal(seeder.uploadRateLimit, rate);
    const { session, started } = await download();
    const ended = await complete(session, 20_000);
    const seconds = (ended - started) / 1000;
    const measured = size / seconds;
    // The burst (a quarter of a second) and the handshake make the first second uneven: 25 % either way.
    assert.ok(
      measured < rate * 1.25,
      `${Math.round(measured)} B/s over ${seconds.toFixed(2)} s, limit ${rate}`,
    );
    assert.ok(
      measured > rate * 0.75,
      `${Math.round(measured)} B/s over ${seconds.toFixed(2)} s, limit ${rate}`,
    );
    assert.ok(readFileSync(join(dir, 'out', 'show.ogg')).equals(data));
  });

  it('0 means unlimited, and a limit changes at run time', async (t) => {
    const size = 1_000_000;
    const { seeder, download } = await swarm(t, size);
    seeder.setUploadRateLimit(32 * 1024); // 30 s for the file at this rate
    const { session, started } = await download();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no block arrived')), 10_000);
      session.once('piece', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    assert.ok(session.stats().left > size / 2, 'the limit holds the download back');
    seeder.setUploadRateLimit(0);
    const ended = await complete(session, 10_000);
    const seconds = (ended - started) / 1000;
    assert.ok(seconds < 10, `done in ${seconds.toFixed(2)} s once unlimited`);
  });
});
