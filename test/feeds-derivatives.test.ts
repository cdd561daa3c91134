/**
 * Feeds with derivatives, captions and chapters, read by real parsers (issue 18): a WAV published in
 * a channel is processed into an MP3; its RSS feeds (site-wide and channel) then parse in Debian's
 * python3-feedparser without errors (bozo 0) with the MP3 as the `<enclosure>` (`audio/mpeg`), a
 * `podcast:transcript` (WebVTT, `rel="captions"`), `podcast:chapters`, and, read with xml.etree, the
 * WAV and its swarm as an alternate enclosure and the MP3's alternate with the derivatives torrent and
 * its SHA-384; the Atom and JSON feeds name the MP3 first and the WAV beside it.
 * Skips loudly without ffmpeg or python3-feedparser (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { wavSite } from './feeds-derivatives-fixtures.js';
import { requireTools } from './helpers/tools.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import json, sys, feedparser
import xml.etree.ElementTree as ET
P = '{https://podcastindex.org/namespace/1.0}'
path = sys.argv[1]
data = open(path, 'rb').read()
d = feedparser.parse(data, response_headers={'content-type': 'application/rss+xml'})
root = ET.fromstring(data)
items = []
for item in root.iter('item'):
    items.append({
        'alternates': [{'attrs': dict(a.attrib),
                        'sources': [dict(s.attrib) for s in a.findall(P + 'source')],
                        'integrity': [dict(i.attrib) for i in a.findall(P + 'integrity')]}
                       for a in item.findall(P + 'alternateEnclosure')],
        'transcripts': [dict(x.attrib) for x in item.findall(P + 'transcript')],
        'chapters': [dict(x.attrib) for x in item.findall(P + 'chapters')],
    })
print(json.dumps({
    'bozo': bool(d.bozo), 'exception': str(d.get('bozo_exception', '')),
    'entries': [{'enclosures': [{'href': x.get('href'), 'type': x.get('type'), 'length': x.get('length')}
                                for x in e.get('enclosures', [])],
                 'transcript': e.get('podcast_transcript'), 'chapters': e.get('podcast_chapters'),
                 'integrity': e.get('podcast_integrity')} for e in d.entries],
    'items': items,
}))
`;

function feedparserAvailable(t: TestContext): boolean {
  if (spawnSync(PYTHON, ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0) return true;
  const message = 'missing system tool: python3-feedparser (install it: see .ci/run)';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return false;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked by the assertions
type Any = any;

test('feeds of a processed WAV: MP3 enclosure, alternates with integrity, transcript and chapters', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'ffprobe') || !feedparserAvailable(t)) return;
  const site = await wavSite(t);
  const base = site.server.url;
  for (const path of ['/feeds/items.rss', `/channels/${site.channel}/feed.rss`]) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200);
    const file = join(site.dir, 'feed.xml');
    writeFileSync(file, await res.text());
    const out: Any = JSON.parse(execFileSync(PYTHON, ['-c', SCRIPT, file], { encoding: 'utf8' }));
    assert.equal(out.bozo, false, `${path}: ${out.exception}`);
    assert.equal(out.entries.length, 1);
    const [entry] = out.entries;
    assert.deepEqual(entry.enclosures, [
      { href: site.mp3.url, type: 'audio/mpeg', length: String(site.mp3.length) },
    ]);
    assert.deepEqual(entry.transcript, {
      url: `${base}/items/${site.id}/captions/en.vtt`,
      type: 'text/vtt',
      language: 'en',
      rel: 'captions',
    });
    assert.deepEqual(entry.chapters, {
      url: `${base}/items/${site.id}/chapters.json`,
      type: 'application/json+chapters',
    });
    assert.match(entry.integrity?.value ?? '', /^sha384-/);

    const [item] = out.items;
    const original = item.alternates.find((a: Any) => a.attrs.title === 'Original');
    assert.ok(original, JSON.stringify(item.alternates));
    assert.match(original.attrs.type, /^audio\/(wav|x-wav|wave|vnd\.wave)$/);
    const uris = original.sources.map((s: Any) => s.uri);
    assert.equal(uris[0], site.wavUrl);
    assert.equal(uris[1], `${base}/items/${site.id}.torrent`);
    assert.match(uris[2], /^magnet:\?xt=urn:btih:/);
    assert.equal(original.sources[1].contentType, 'application/x-bittorrent');
    assert.match(original.integrity[0]?.value ?? '', /^sha(384|256)-/);
    const twin = item.alternates.find((a: Any) => a.attrs.default === 'true');
    assert.ok(twin, 'the MP3 as the enclosure twin');
    assert.equal(twin.attrs.type, 'audio/mpeg');
    assert.deepEqual(
      twin.sources.map((s: Any) => s.uri),
      [site.mp3.url, site.mp3.torrentUrl, site.mp3.magnet],
    );
    assert.deepEqual(twin.integrity, [{ type: 'sri', value: site.mp3.integrity }]);
    assert.equal(item.transcripts.length, 1);
    assert.equal(item.chapters.length, 1);
    // the files the tags name are served
    assert.equal((await fetch(entry.transcript.url)).headers.get('content-type'), 'text/vtt; charset=utf-8');
    assert.equal(
      (await fetch(entry.chapters.url)).headers.get('content-type'),
      'application/json+chapters; charset=utf-8',
    );
  }

  const atom = await (await fetch(`${base}/channels/${site.channel}/feed.atom`)).text();
  const enclosures = [...atom.matchAll(/<link rel="enclosure" href="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(enclosures.slice(0, 2), [site.mp3.url, site.wavUrl]);
  assert.match(atom, /<link rel="related" type="text\/vtt" hreflang="en"/);
  const json: Any = await (await fetch(`${base}/channels/${site.channel}/feed.json`)).json();
  assert.deepEqual(
    json.items[0].attachments.slice(0, 2).map((a: Any) => a.url),
    [site.mp3.url, site.wavUrl],
  );
  assert.equal(json.items[0]._seedcast.transcripts[0].language, 'en');
  assert.equal(json.items[0]._seedcast.chapters, `${base}/items/${site.id}/chapters.json`);
});
