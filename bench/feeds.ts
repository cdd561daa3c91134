/**
 * `npm run bench:feeds`: Seedcast's feed parser against `rss-parser` (xml2js underneath), same feeds, same
 * process. 1,000 podcast feeds of 100 items each (RSS 2.0 with iTunes tags, an `<enclosure>`, and a
 * `podcast:alternateEnclosure` with `.torrent` and magnet sources, the shape a Seedcast site emits) are
 * generated up front; each parser reads all of them once to warm up, then ROUNDS times (default 3,
 * alternating). Prints items per second for each (the median round) and the ratio; the target is 2x.
 */

import { createRequire } from 'node:module';
import { parseFeed } from '../src/feeds/index.js';

const FEEDS = 1000;
const ITEMS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface RssParser {
  parseString(xml: string): Promise<{ items: unknown[] }>;
}
const RssParserClass = createRequire(import.meta.url)('rss-parser') as new () => RssParser;

function feed(n: number): string {
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const id = `${n}-${i}`;
    const hash = (n * 1000 + i).toString(16).padStart(40, '0');
    items.push(`
    <item>
      <title>Episode ${i} of show ${n}: &lt;b&gt;open&lt;/b&gt; media &amp; swarms</title>
      <link>https://show${n}.example/episodes/${i}</link>
      <guid isPermaLink="false">${id}</guid>
      <pubDate>Mon, ${String((i % 28) + 1).padStart(2, '0')} Jan 2024 10:${String(i % 60).padStart(2, '0')}:00 +0100</pubDate>
      <description><![CDATA[<p>Notes for episode ${i}, with <a href="https://show${n}.example/${i}">links</a>.</p>]]></description>
      <itunes:duration>${i % 2 ? '1:02:03' : '3723'}</itunes:duration>
      <itunes:image href="/art/${i}.jpg"/>
      <enclosure url="https://cdn.show${n}.example/ep${i}.mp3" length="${1_000_000 + i}" type="audio/mpeg"/>
      <podcast:alternateEnclosure type="audio/mpeg" length="${1_000_000 + i}">
        <podcast:source uri="https://show${n}.example/ep${i}.torrent" contentType="application/x-bittorrent"/>
        <podcast:source uri="magnet:?xt=urn:btih:${hash}&amp;dn=ep${i}.mp3"/>
      </podcast:alternateEnclosure>
    </item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Show ${n}</title>
    <link>https://show${n}.example/</link>
    <description>Show number ${n}.</description>
    <language>en</language>
    <itunes:author>Host ${n}</itunes:author>
    <itunes:image href="https://show${n}.example/art.jpg"/>${items.join('')}
  </channel>
</rss>`;
}

function ours(docs: string[]): number {
  let n = 0;
  for (let k = 0; k < docs.length; k++)
    n += parseFeed(docs[k]!, { url: `https://show${k}.example/feed.xml` }).items.length;
  return n;
}

async function theirs(parser: RssParser, docs: string[]): Promise<number> {
  let n = 0;
  for (const d of docs) n += (await parser.parseString(d)).items.length;
  return n;
}

async function rate(run: () => number | Promise<number>): Promise<number> {
  const t0 = performance.now();
  const items = await run();
  return (items / (performance.now() - t0)) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const docs = Array.from({ length: FEEDS }, (_, n) => feed(n));
  const mb = docs.reduce((sum, d) => sum + Buffer.byteLength(d), 0) / 1024 / 1024;
  console.log(`${FEEDS} feeds x ${ITEMS} items (${mb.toFixed(1)} MiB), ${ROUNDS} rounds after a warm-up`);
  const parser = new RssParserClass();
  if (ours(docs) !== FEEDS * ITEMS || (await theirs(parser, docs)) !== FEEDS * ITEMS) {
    throw new Error('a parser lost items');
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await rate(() => ours(docs)));
    b.push(await rate(() => theirs(parser, docs)));
  }
  const mine = median(a);
  const peer = median(b);
  const ratio = mine / peer;
  console.log(`seedcast    ${Math.round(mine).toLocaleString('en')} items/s`);
  console.log(`rss-parser  ${Math.round(peer).toLocaleString('en')} items/s`);
  console.log(`ratio       ${ratio.toFixed(2)}x (target >= 2x: ${ratio >= 2 ? 'met' : 'NOT met'})`);
}

await main();
