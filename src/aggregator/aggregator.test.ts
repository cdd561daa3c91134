import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { rssFeed, startPodcastHost } from '../../test/aggregator-fixtures.js';
import { Engine } from '../engine/index.js';
import { isSeedcastError } from '../errors.js';
import { Aggregator } from './aggregator.js';
import { emptyState, loadState, saveState, updateState } from './state.js';
import { mergeFeeds, subscribe, unsubscribe } from './subscriptions.js';
import type { SyncEvent } from './view.js';

function home(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'seedcast-agg-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function open(t: TestContext, dir: string, events: SyncEvent[] = []): Promise<Aggregator> {
  const engine = new Engine();
  const aggregator = new Aggregator(dir, { engine, onEvent: (e) => events.push(e) });
  await aggregator.open();
  t.after(async () => {
    await aggregator.close();
    await engine.close();
  });
  return aggregator;
}

describe('the sync loop', () => {
  it('keeps only the newest N downloads of a feed and deletes the older files', async (t) => {
    const host = await startPodcastHost(t);
    const list = [1, 2, 3, 4].map((n) => {
      const data = randomBytes(1000 + n);
      host.set(`/e${n}.mp3`, { body: data });
      return {
        title: `E${n}`,
        guid: `e${n}`,
        pubDate: new Date(Date.UTC(2026, 0, n)),
        enclosure: { url: `${host.url}/e${n}.mp3`, type: 'audio/mpeg', length: data.length },
      };
    });
    host.set('/f.xml', { body: rssFeed('Keep Two', list) });
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, `${host.url}/f.xml`, { recent: 10, keepLast: 2 });
    state.settings.concurrency = 1;
    await saveState(dir, state);
    const aggregator = await open(t, dir);
    await aggregator.poll({ force: true });
    await aggregator.idle();
    const byTitle = new Map(aggregator.state.downloads.map((d) => [d.title, d]));
    assert.deepEqual(
      ['E1', 'E2', 'E3', 'E4'].map((n) => byTitle.get(n)!.status),
      ['removed', 'removed', 'complete', 'complete'],
    );
    assert.deepEqual(readdirSync(join(dir, 'library', 'Keep Two')).sort(), ['E3.mp3', 'E4.mp3']);
    assert.equal(aggregator.failed, 0);
  });

  it('items of a feed with auto-download off are listed as new, not fetched', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/f.xml', {
      body: rssFeed('Quiet', [
        { title: 'A', guid: 'a', enclosure: { url: `${host.url}/a.mp3`, type: 'audio/mpeg', length: 5 } },
      ]),
    });
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, `${host.url}/f.xml`, { autoDownload: false });
    await saveState(dir, state);
    const events: SyncEvent[] = [];
    const aggregator = await open(t, dir, events);
    await aggregator.poll({ force: true });
    await aggregator.idle();
    assert.deepEqual(
      aggregator.state.downloads.map((d) => [d.guid, d.status]),
      [['a', 'new']],
    );
    assert.deepEqual(aggregator.state.feeds[0]!.seen, ['a']);
    assert.ok(events.some((e) => e.type === 'feed' && e.fresh === 1 && e.queued === 0));
    assert.equal(host.log.filter((r) => r.path === '/a.mp3').length, 0);
  });

  it('one sync at a time per home; a lock left by a dead process is taken over', async (t) => {
    const dir = home(t);
    await open(t, dir);
    const second = new Aggregator(dir, { engine: new Engine() });
    await assert.rejects(second.open(), (e) => isSeedcastError(e, 'AGGREGATOR_BUSY'));
    assert.ok(existsSync(join(dir, 'sync.lock')));
    const other = home(t);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(other, 'sync.lock'), `${dead} abc\n`);
    await open(t, other);
  });

  it('subscriptions changed on disk during a sync are kept when it saves', () => {
    const disk = (() => {
      const s = emptyState();
      subscribe(s, 'http://a/f');
      subscribe(s, 'http://c/f', { keepLast: 3 });
      return s.feeds;
    })();
    const mine = (() => {
      const s = emptyState();
      subscribe(s, 'http://a/f');
      subscribe(s, 'http://b/f');
      s.feeds[0]!.etag = '"v1"';
      unsubscribe(s, 'http://c/f');
      return s.feeds;
    })();
    const merged = mergeFeeds(disk, mine);
    assert.deepEqual(
      merged.map((f) => f.url),
      ['http://a/f', 'http://c/f'],
    );
    assert.equal(merged[0], mine[0], 'the same object, so a poll in flight is saved');
    assert.equal(merged[0]!.etag, '"v1"');
    assert.equal(merged[1]!.options.keepLast, 3);
  });

  it('a feed unsubscribed while a sync runs stops seeding and drops its queue when the sync saves', async (t) => {
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, 'http://a/f');
    subscribe(state, 'http://b/f');
    const base = { guid: 'g', title: 't', attempts: 1, queuedAt: '', base: join(dir, 'x') };
    state.downloads.push(
      {
        ...base,
        id: '1',
        feed: 'http://a/f',
        status: 'complete',
        seeding: { uploaded: 0, downloaded: 0, seededMs: 0, done: false },
      },
      { ...base, id: '2', feed: 'http://a/f', status: 'queued' },
      { ...base, id: '3', feed: 'http://b/f', status: 'queued' },
    );
    await saveState(dir, state);
    const aggregator = await open(t, dir);
    await updateState(dir, (s) => unsubscribe(s, 'http://a/f'));
    await aggregator.persist();
    const saved = await loadState(dir);
    assert.deepEqual(
      saved.feeds.map((f) => f.url),
      ['http://b/f'],
    );
    assert.equal(saved.downloads[0]!.seeding!.done, true);
    assert.deepEqual(
      saved.downloads.map((d) => d.status),
      ['complete', 'failed', 'queued'],
    );
  });
});

describe('subscriptions changed by the app and the CLI at once', () => {
  it('a CLI subscribe written while the app changes subscriptions is kept, and the other way round', async (t) => {
    const dir = home(t);
    const aggregator = await open(t, dir);
    await updateState(dir, (s) => subscribe(s, 'http://cli/1'));
    await aggregator.updateSubscriptions((s) => subscribe(s, 'http://app/1'));
    assert.deepEqual(
      aggregator.state.feeds.map((f) => f.url),
      ['http://cli/1', 'http://app/1'],
    );
    await updateState(dir, (s) => subscribe(s, 'http://cli/2'));
    await aggregator.persist();
    assert.deepEqual(
      (await loadState(dir)).feeds.map((f) => f.url),
      ['http://cli/1', 'http://app/1', 'http://cli/2'],
    );
    await aggregator.updateSubscriptions((s) => unsubscribe(s, 'http://cli/1'));
    await updateState(dir, (s) => unsubscribe(s, 'http://app/1'));
    await aggregator.persist();
    assert.deepEqual(
      aggregator.state.feeds.map((f) => f.url),
      ['http://cli/2'],
    );
  });

  it('interleaved edits from both sides (and the sync saving) lose none', async (t) => {
    const dir = home(t);
    const aggregator = await open(t, dir);
    const edits: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      edits.push(updateState(dir, (s) => subscribe(s, `http://cli/${i}`)));
      edits.push(aggregator.updateSubscriptions((s) => subscribe(s, `http://app/${i}`)));
      if (i % 3 === 0) edits.push(aggregator.persist());
    }
    await Promise.all(edits);
    await aggregator.persist();
    const want = [...Array(12).keys()].flatMap((i) => [`http://cli/${i}`, `http://app/${i}`]).sort();
    assert.deepEqual((await loadState(dir)).feeds.map((f) => f.url).sort(), want);
    assert.deepEqual(aggregator.state.feeds.map((f) => f.url).sort(), want);
    assert.ok(!existsSync(join(dir, 'state.json.lock')), 'the edit lock is released');
  });
});
