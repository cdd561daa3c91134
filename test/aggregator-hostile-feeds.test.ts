/**
 * End to end, the aggregator against hostile feeds, with real HTTP servers:
 * - a feed with the same title as a subscribed one (and an episode whose title is the other's file
 *   name) gets a library folder of its own and cannot overwrite the subscribed feed's episode;
 * - a feed at a public address cannot make the aggregator fetch inside addresses: an enclosure that
 *   redirects to a loopback listener, and a `.torrent` URL on loopback, are refused and the listener
 *   receives nothing; a feed that is itself on loopback still gets its loopback enclosures.
 * There is no public address here: a policy in which 127.0.0.2 stands for one plays it.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Aggregator } from '../src/aggregator/aggregator.js';
import { loadState, saveState, subscribe } from '../src/aggregator/index.js';
import { Engine } from '../src/engine/index.js';
import { OutboundPolicy } from '../src/net/index.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';

class PublicLoopbackTwo extends OutboundPolicy {
  override allowsAddress(ip: string): boolean {
    return ip === '127.0.0.2' || super.allowsAddress(ip);
  }
}

function home(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'seedcast-agg-hostile-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function open(t: TestContext, dir: string, policy?: OutboundPolicy): Promise<Aggregator> {
  const engine = new Engine();
  const aggregator = new Aggregator(dir, { engine, ...(policy ? { policy } : {}) });
  await aggregator.open();
  t.after(async () => {
    await aggregator.close();
    await engine.close();
  });
  return aggregator;
}

async function sync(aggregator: Aggregator): Promise<void> {
  await aggregator.poll({ force: true });
  await aggregator.idle();
}

describe('hostile feeds', () => {
  it('a feed with the same title as a subscribed one cannot overwrite its episodes', async (t) => {
    const host = await startPodcastHost(t);
    const real = randomBytes(3000);
    const fake = randomBytes(3000);
    host.set('/real.mp3', { body: real });
    host.set('/fake', { body: fake, type: 'application/octet-stream' });
    host.set('/real.xml', {
      body: rssFeed('Daily News', [
        {
          title: 'Episode 1',
          guid: 'r1',
          enclosure: { url: `${host.url}/real.mp3`, type: 'audio/mpeg', length: real.length },
        },
      ]),
    });
    // Same title; an episode named like the real one's file, with no extension of its own.
    host.set('/evil.xml', {
      body: rssFeed('Daily News', [
        {
          title: 'Episode 1.mp3',
          guid: 'e1',
          enclosure: { url: `${host.url}/fake`, type: 'application/x-unknown', length: fake.length },
        },
      ]),
    });
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, `${host.url}/real.xml`);
    await saveState(dir, state);
    const aggregator = await open(t, dir);
    await sync(aggregator);
    // Subscribed later, as `seedcast subscribe` does: on disk, picked up by the running aggregator.
    const later = await loadState(dir);
    subscribe(later, `${host.url}/evil.xml`);
    await saveState(dir, later);
    await aggregator.persist();
    await sync(aggregator);
    const [first, second] = aggregator.state.downloads;
    assert.equal(first?.status, 'complete', first?.error);
    assert.equal(second?.status, 'complete', second?.error);
    assert.ok(readFileSync(first!.path!).equals(real), "the subscribed feed's episode is intact");
    assert.ok(readFileSync(second!.path!).equals(fake));
    assert.notEqual(dirname(first!.path!), dirname(second!.path!), 'each feed has its own folder');
  });

  it('an enclosure redirecting inside, or a torrent URL inside, is refused for a public feed', async (t) => {
    let connections = 0;
    const inside = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => inside.close(() => resolve())));
    const secret = `http://127.0.0.1:${(inside.address() as { port: number }).port}`;
    const pub = await startPodcastHost(t, '127.0.0.2');
    pub.set('/e1.mp3', { redirect: `${secret}/latest/meta-data/` });
    pub.set('/f.xml', {
      body: rssFeed('Public', [
        { title: 'One', guid: 'a', enclosure: { url: `${pub.url}/e1.mp3`, type: 'audio/mpeg', length: 10 } },
        {
          title: 'Two',
          guid: 'b',
          enclosure: { url: `${secret}/t.torrent`, type: 'application/x-bittorrent', length: 10 },
        },
      ]),
    });
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, `${pub.url}/f.xml`);
    await saveState(dir, state);
    const aggregator = await open(t, dir, new PublicLoopbackTwo());
    await sync(aggregator);
    const byGuid = new Map(aggregator.state.downloads.map((d) => [d.guid, d]));
    assert.equal(byGuid.get('a')?.status, 'failed');
    assert.match(byGuid.get('a')?.error ?? '', /loopback/);
    assert.equal(byGuid.get('b')?.status, 'failed');
    assert.equal(byGuid.get('a')?.retry, undefined, 'a refusal is not retried');
    assert.equal(connections, 0, 'nothing reached the loopback listener');
  });

  it('a feed on loopback still gets its own loopback enclosures, redirects included', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(2000);
    host.set('/moved.mp3', { redirect: `${host.url}/e.mp3` });
    host.set('/e.mp3', { body: data });
    host.set('/f.xml', {
      body: rssFeed('Home NAS', [
        {
          title: 'E',
          guid: 'e',
          enclosure: { url: `${host.url}/moved.mp3`, type: 'audio/mpeg', length: data.length },
        },
      ]),
    });
    const dir = home(t);
    const state = await loadState(dir);
    subscribe(state, `${host.url}/f.xml`);
    await saveState(dir, state);
    const aggregator = await open(t, dir, new PublicLoopbackTwo());
    await sync(aggregator);
    const [record] = aggregator.state.downloads;
    assert.equal(record?.status, 'complete', record?.error);
    assert.ok(readFileSync(record!.path!).equals(data));
  });
});
