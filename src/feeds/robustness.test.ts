/**
 * Bad input is an answer, never a crash: thousands of damaged variants of the corpus feeds (cut short,
 * bytes dropped, markup characters inserted, bytes flipped) each either parse into a Feed or fail with a
 * SeedcastError, quickly. A deterministic generator keeps failures reproducible.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isSeedcastError } from '../errors.js';
import { parseFeed, parseOpml } from './index.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'corpus');
const NOISE = [
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '<![CDATA[',
  '<!--',
  '</item>',
  '<item>',
  '&amp',
  '&#x',
  '\u0000',
  '\uFFFF',
];

function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 16; // the high bits: an LCG's low bits repeat with short periods
  };
}

function mutate(bytes: Buffer, next: () => number): Buffer {
  const at = next() % (bytes.length + 1);
  switch (next() % 4) {
    case 0:
      return bytes.subarray(0, at);
    case 1:
      return Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(Math.min(bytes.length, at + 1 + (next() % 40))),
      ]);
    case 2:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(NOISE[next() % NOISE.length]!),
        bytes.subarray(at),
      ]);
    default: {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[at % copy.length] = next() % 256;
      return copy;
    }
  }
}

it('damaged feeds give a Feed or a SeedcastError, never a crash or a hang', () => {
  const next = prng(20_261_124);
  const files = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
  const t0 = performance.now();
  let feeds = 0;
  let errors = 0;
  for (const f of files) {
    const original = readFileSync(join(DIR, f));
    for (let k = 0; k < 300; k++) {
      let bytes: Buffer = original;
      for (let m = 1 + (next() % 3); m > 0; m--) bytes = mutate(bytes, next);
      try {
        const feed = parseFeed(bytes, { url: 'https://fuzz.example/feed' });
        assert.ok(Array.isArray(feed.items));
        JSON.stringify(feed);
        feeds++;
      } catch (e) {
        if (!isSeedcastError(e)) assert.fail(`${f} variant ${k}: ${(e as Error).stack}`);
        assert.ok(!e.message.includes('\n'), 'one-line reason');
        errors++;
      }
      try {
        parseOpml(bytes);
      } catch (e) {
        if (!isSeedcastError(e)) assert.fail(`${f} variant ${k} as OPML: ${(e as Error).stack}`);
      }
    }
  }
  assert.ok(feeds > 1000 && errors > 1000, `${feeds} parsed, ${errors} refused`);
  assert.ok(performance.now() - t0 < 20_000, `took ${Math.round(performance.now() - t0)} ms`);
});

it('a run of "<!-->" before the root costs linear time, not exponential (found by fuzzing)', () => {
  const doc = `<?xml version="1.0"?>\n<!-- x\n${'<!-->\n'.repeat(5000)}<rss version="2.0"><channel><title>t</title></channel></rss>`;
  const t0 = performance.now();
  try {
    parseFeed(doc, { url: 'https://a.example/f.xml' });
  } catch (err) {
    assert.ok(isSeedcastError(err), String(err));
  }
  assert.ok(performance.now() - t0 < 500, `took ${(performance.now() - t0).toFixed(0)} ms`);
  const html = `<!-- a -->\n<!DOCTYPE html>\n<!-- b --><html><body>x</body></html>`;
  assert.throws(() => parseFeed(html, { url: 'https://a.example/' }), /an HTML page, not a feed/);
});
