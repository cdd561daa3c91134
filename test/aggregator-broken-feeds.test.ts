/**
 * Bad input next to a good feed: a 404, an HTML page, a document that is neither XML nor JSON, a
 * redirect loop, an endless response, an enclosure longer than promised, one that fails its
 * `podcast:integrity` hash, and a torrent libtorrent refuses too (a v2 file marked as padding). Each is reported in one line and
 * skipped; the good feeds' episodes (RSS and JSON Feed) arrive intact; nothing is written outside $SEEDCAST_HOME.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  integrityFor,
  type LibraryJson,
  rssFeed,
  runCliIn,
  startPodcastHost,
} from './aggregator-fixtures.js';
import { runCli, tempDir } from './helpers/tools.js';

/**
 * A v2 torrent whose one file is marked as a padding file (BEP 47 `p`): libtorrent refuses it, so
 * does Seedcast. (A path that climbs out of its folder is no longer a refusal: it is sanitised.)
 */
function brokenTorrent(): Buffer {
  const info = Buffer.concat([
    Buffer.from('d9:file treed4:evild0:d4:attr1:p6:lengthi5e11:pieces root32:'),
    randomBytes(32),
    Buffer.from('eee12:meta versioni2e4:name4:evil12:piece lengthi16384ee'),
  ]);
  return Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('e')]);
}

describe('aggregator with broken feeds next to a good one', () => {
  it('reports each problem in one line, skips it, and still fetches the good feed', async (t) => {
    const host = await startPodcastHost(t);
    const top = tempDir(t);
    const home = join(top, 'home');
    const cwd = join(top, 'cwd');
    mkdirSync(cwd);
    const env = { SEEDCAST_HOME: home };
    const good = randomBytes(200_000);
    host.set('/good.mp3', { body: good, type: 'audio/mpeg' });
    host.set('/good.xml', {
      body: rssFeed('Good Show', [
        {
          title: 'Fine',
          guid: 'fine',
          enclosure: { url: `${host.url}/good.mp3`, type: 'audio/mpeg', length: good.length },
        },
      ]),
    });
    const json = randomBytes(123_456);
    host.set('/json.bin', { body: json, type: 'video/mp4' });
    host.set('/feed.json', {
      type: 'application/feed+json',
      body: JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'JSON Show',
        items: [
          {
            id: 'j1',
            title: 'From JSON',
            date_published: '2026-01-02T00:00:00Z',
            attachments: [{ url: '/json.bin', mime_type: 'video/mp4', size_in_bytes: json.length }],
          },
        ],
      }),
    });
    host.set('/page.xml', { body: '<!DOCTYPE html><html><body>Moved</body></html>', type: 'text/html' });
    host.set('/garbage.xml', { body: 'hello, this is not a feed' });
    host.set('/loop-a.xml', { redirect: '/loop-b.xml' });
    host.set('/loop-b.xml', { redirect: '/loop-a.xml' });
    host.set('/huge.xml', { endless: true });
    const long = randomBytes(5000);
    const tampered = randomBytes(4000);
    host.set('/long.mp3', { body: long });
    host.set('/tampered.mp3', { body: tampered });
    host.set('/evil.torrent', { body: brokenTorrent(), type: 'application/x-bittorrent' });
    const wrongHash = `sha256-${createHash('sha256').update(randomBytes(8)).digest('base64')}`;
    host.set('/liar.xml', {
      body: rssFeed('Liar Show', [
        {
          title: 'Too Long',
          guid: 'long',
          enclosure: { url: `${host.url}/long.mp3`, type: 'audio/mpeg', length: 1000 },
        },
        {
          title: 'Tampered',
          guid: 'tampered',
          enclosure: { url: `${host.url}/tampered.mp3`, type: 'audio/mpeg', length: tampered.length },
          extra: integrityFor(`${host.url}/tampered.mp3`, tampered.length, wrongHash),
        },
        {
          title: 'Evil Torrent',
          guid: 'evil',
          enclosure: { url: `${host.url}/evil.torrent`, type: 'application/x-bittorrent', length: 300 },
        },
      ]),
    });
    const broken = ['/missing.xml', '/page.xml', '/garbage.xml', '/loop-a.xml', '/huge.xml'];
    for (const path of ['/good.xml', '/feed.json', ...broken, '/liar.xml']) {
      const r = await runCliIn(cwd, ['subscribe', `${host.url}${path}`, '--recent', '10'], env);
      assert.equal(r.code, 0, r.stderr);
    }

    const sync = await runCliIn(cwd, ['sync', '--once'], env);
    assert.equal(sync.code, 1, 'something failed, so the exit code says so');
    const errors = sync.stderr.trim().split('\n');
    for (const path of broken) {
      const lines = errors.filter((l) => l.includes(path));
      assert.equal(lines.length, 1, `one line about ${path}:\n${sync.stderr}`);
    }
    assert.match(errors.find((l) => l.includes('/missing.xml'))!, /404/);
    assert.match(errors.find((l) => l.includes('/page.xml'))!, /HTML/);
    assert.match(errors.find((l) => l.includes('/garbage.xml'))!, /neither XML nor JSON/);
    assert.match(errors.find((l) => l.includes('/loop-a.xml'))!, /redirect loop/);
    assert.match(errors.find((l) => l.includes('/huge.xml'))!, /limit/);
    assert.match(errors.find((l) => l.includes('Too Long'))!, /promised 1000/);
    assert.match(errors.find((l) => l.includes('Tampered'))!, /integrity/);
    assert.match(errors.find((l) => l.includes('Evil Torrent'))!, /padding file/);
    assert.equal(errors.length, broken.length + 3, sync.stderr);

    const entries = JSON.parse((await runCli(['library', '--json'], { env })).stdout) as LibraryJson[];
    assert.deepEqual(entries.map((e) => [e.title, e.complete]).sort(), [
      ['Fine', true],
      ['From JSON', true],
    ]);
    assert.ok(readFileSync(entries.find((e) => e.title === 'Fine')!.path!).equals(good));
    assert.ok(readFileSync(entries.find((e) => e.title === 'From JSON')!.path!).equals(json));
    assert.deepEqual(readdirSync(cwd), [], 'nothing written in the working folder');
    assert.deepEqual(readdirSync(top).sort(), ['cwd', 'home']);
    const liar = readdirSync(join(home, 'library', 'Liar Show'));
    assert.deepEqual(liar, [], `no partial or bad files left: ${liar.join(', ')}`);

    const feeds = JSON.parse((await runCli(['feeds', '--json'], { env })).stdout) as {
      url: string;
      lastError: string | null;
    }[];
    assert.equal(feeds.filter((f) => f.lastError).length, broken.length);
  });
});
