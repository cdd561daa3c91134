/**
 * The aggregator against a local podcast host with plain HTTP enclosures: `sync --once` fetches every
 * episode intact into the library; a second run asks for the feed conditionally and fetches nothing;
 * a kill -9 in the middle of a download, then `sync --once`, finishes it with a Range request.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, it } from 'node:test';
import { integrityFor, type LibraryJson, rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { runCli, startCli, tempDir } from './helpers/tools.js';

function sri(data: Buffer): string {
  return `sha256-${createHash('sha256').update(data).digest('base64')}`;
}

async function library(env: NodeJS.ProcessEnv): Promise<LibraryJson[]> {
  const r = await runCli(['library', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as LibraryJson[];
}

describe('aggregator with an HTTP podcast feed', () => {
  it('sync --once fetches every episode intact; a second run fetches nothing', async (t) => {
    const host = await startPodcastHost(t);
    const home = join(tempDir(t), 'home');
    const env = { SEEDCAST_HOME: home };
    const episodes = [randomBytes(700_001), randomBytes(1_500_000), randomBytes(33_333)];
    for (const [i, data] of episodes.entries())
      host.set(`/media/ep${i + 1}.mp3`, { body: data, type: 'audio/mpeg' });
    const feed = rssFeed(
      'The Local Show',
      episodes.map((data, i) => ({
        title: i === 1 ? 'Episode 2: <b>Hidden</b> ../../escape' : `Episode ${i + 1}`,
        guid: `ep-${i + 1}`,
        enclosure: { url: `${host.url}/media/ep${i + 1}.mp3`, type: 'audio/mpeg', length: data.length },
        extra: i === 0 ? integrityFor(`${host.url}/media/ep1.mp3`, data.length, sri(data)) : '',
      })),
      { ttl: 30 },
    );
    host.set('/feed.xml', { body: feed, type: 'application/rss+xml', etag: true });

    const sub = await runCli(['subscribe', `${host.url}/feed.xml`, '--recent', '10'], { env });
    assert.equal(sub.code, 0, sub.stderr);
    const first = await runCli(['sync', '--once'], { env });
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);

    const entries = await library(env);
    assert.equal(entries.length, 3);
    for (const e of entries) {
      assert.equal(e.complete, true, e.title);
      assert.equal(e.feed, `${host.url}/feed.xml`);
      assert.ok(e.path?.startsWith(join(home, 'library') + sep), e.path ?? '');
    }
    for (const [i, data] of episodes.entries()) {
      const entry = entries.find((e) => readFileSync(e.path!).equals(data));
      assert.ok(entry, `episode ${i + 1} is in the library byte for byte`);
    }
    const folder = readdirSync(join(home, 'library'));
    assert.deepEqual(folder, ['The Local Show']);
    assert.ok(
      readdirSync(join(home, 'library', 'The Local Show')).every(
        (n) => !n.endsWith('.part') && !n.startsWith('.'),
      ),
    );

    const mediaRequests = host.log.filter((r) => r.path.startsWith('/media/')).length;
    assert.equal(mediaRequests, 3);
    const second = await runCli(['sync', '--once'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      host.log.filter((r) => r.path.startsWith('/media/')).length,
      mediaRequests,
      'no media fetched again',
    );
    const feedRequests = host.log.filter((r) => r.path === '/feed.xml');
    assert.equal(feedRequests.at(-1)!.status, 304, 'the second poll is conditional and answered 304');
    assert.ok(feedRequests.at(-1)!.ifNoneMatch);
    assert.match(second.stdout, /not modified/);

    // A new episode appears: only it is fetched.
    const extra = randomBytes(10_000);
    host.set('/media/ep4.mp3', { body: extra, type: 'audio/mpeg' });
    host.set('/feed.xml', {
      body: feed.replace(
        '<item>',
        `<item><title>Episode 4</title><guid>ep-4</guid><pubDate>${new Date(Date.UTC(2026, 5, 1)).toUTCString()}</pubDate><enclosure url="${host.url}/media/ep4.mp3" type="audio/mpeg" length="${extra.length}"/></item><item>`,
      ),
      type: 'application/rss+xml',
      etag: true,
    });
    const third = await runCli(['sync', '--once'], { env });
    assert.equal(third.code, 0, third.stderr);
    assert.equal(host.log.filter((r) => r.path.startsWith('/media/')).length, mediaRequests + 1);
    const after = await library(env);
    assert.equal(after.length, 4);
    assert.ok(after.some((e) => e.title === 'Episode 4' && readFileSync(e.path!).equals(extra)));
  });

  it('a kill -9 during a download, then sync --once, completes it with a Range request', async (t) => {
    const host = await startPodcastHost(t);
    const home = join(tempDir(t), 'home');
    const env = { SEEDCAST_HOME: home };
    const data = randomBytes(6 * 1024 * 1024 + 123);
    host.set('/big.mp3', { body: data, type: 'audio/mpeg', etag: true, bytesPerSecond: 1024 * 1024 });
    host.set('/feed.xml', {
      body: rssFeed('Slow Show', [
        {
          title: 'Long One',
          guid: 'long',
          enclosure: { url: `${host.url}/big.mp3`, type: 'audio/mpeg', length: data.length },
        },
      ]),
      type: 'application/rss+xml',
    });
    assert.equal((await runCli(['subscribe', `${host.url}/feed.xml`], { env })).code, 0);
    const sync = startCli(t, ['sync', '--once'], { env });
    const part = join(home, 'library', 'Slow Show', 'Long One.mp3.part');
    const deadline = Date.now() + 30_000;
    while (!(existsSync(part) && statSync(part).size > 1024 * 1024)) {
      assert.ok(Date.now() < deadline, `no partial download appeared:\n${sync.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await sync.stop('SIGKILL');
    const partial = statSync(part).size;
    assert.ok(partial > 0 && partial < data.length);
    JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')); // the state survived intact

    host.set('/big.mp3', { body: data, type: 'audio/mpeg', etag: true });
    const again = await runCli(['sync', '--once'], { env });
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    const ranged = host.log.filter((r) => r.path === '/big.mp3' && r.range);
    assert.ok(ranged.length >= 1, 'the second run asked for the rest with Range');
    assert.ok(ranged.at(-1)!.ifRange, 'with If-Range, so a changed file would be fetched whole');
    assert.ok(
      Number(/bytes=(\d+)-/.exec(ranged.at(-1)!.range!)![1]) >= partial,
      'it resumed where it stopped',
    );
    const [entry] = await library(env);
    assert.equal(entry!.complete, true);
    assert.ok(readFileSync(entry!.path!).equals(data), 'the resumed file is intact');
    assert.equal(existsSync(part), false);
  });

  it('Ctrl-C during sync --once stops at once, leaving the download to resume', async (t) => {
    const host = await startPodcastHost(t);
    const home = join(tempDir(t), 'home');
    const env = { SEEDCAST_HOME: home };
    const data = randomBytes(8 * 1024 * 1024);
    host.set('/big.mp3', { body: data, type: 'audio/mpeg', bytesPerSecond: 512 * 1024 });
    host.set('/feed.xml', {
      body: rssFeed('Slow Show', [
        {
          title: 'Long One',
          guid: 'long',
          enclosure: { url: `${host.url}/big.mp3`, type: 'audio/mpeg', length: data.length },
        },
      ]),
    });
    assert.equal((await runCli(['subscribe', `${host.url}/feed.xml`], { env })).code, 0);
    const sync = startCli(t, ['sync', '--once'], { env });
    const part = join(home, 'library', 'Slow Show', 'Long One.mp3.part');
    const deadline = Date.now() + 30_000;
    while (!(existsSync(part) && statSync(part).size > 256 * 1024)) {
      assert.ok(Date.now() < deadline, `no partial download appeared:\n${sync.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const stoppedAt = Date.now();
    assert.equal(await sync.stop('SIGINT'), 1);
    assert.ok(Date.now() - stoppedAt < 5000, 'it did not wait for the download to finish');
    assert.match(sync.output(), /interrupted/);
    assert.equal(existsSync(join(home, 'sync.lock')), false, 'the lock is released');
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as {
      downloads: { status: string }[];
    };
    assert.equal(state.downloads[0]!.status, 'downloading');
    assert.ok(statSync(part).size < data.length);
  });
});
