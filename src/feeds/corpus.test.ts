/**
 * The feed corpus: every file in `corpus/` beside its `<name>.expected.json`, which holds the feed URL and
 * either the whole parsed `feed` (plus, optionally, `chooseEnclosures` for each item) or the `error` code
 * and a fragment of its message. Expected results were written by reading each feed, not by running the
 * parser.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isSeedcastError } from '../errors.js';
import { chooseEnclosures, parseFeed } from './index.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'corpus');

interface Expected {
  url: string;
  feed?: unknown;
  choices?: unknown[];
  error?: { code: string; match: string };
}

/** Drop undefined properties the way JSON does, so results compare with the JSON files. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

const files = readdirSync(DIR);
const cases = files
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => {
    const name = f.slice(0, -'.expected.json'.length);
    const input = files.find((g) => g !== f && g.startsWith(`${name}.`) && !g.endsWith('.expected.json'));
    return { name, input, expected: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Expected };
  });

describe('feed corpus', () => {
  it('has at least 15 feeds, each with its expected result', () => {
    assert.ok(cases.length >= 15, `${cases.length} cases`);
    for (const c of cases) assert.ok(c.input, `no feed file for ${c.name}`);
    const unpaired = files.filter((f) => !f.endsWith('.expected.json') && !cases.some((c) => c.input === f));
    assert.deepEqual(unpaired, []);
  });

  for (const c of cases) {
    it(`parses ${c.input} as expected`, () => {
      const bytes = readFileSync(join(DIR, c.input!));
      const t0 = performance.now();
      if (c.expected.error) {
        const { code, match } = c.expected.error;
        assert.throws(
          () => parseFeed(bytes, { url: c.expected.url }),
          (e) =>
            isSeedcastError(e) && e.code === code && e.message.includes(match) && !e.message.includes('\n'),
        );
      } else {
        const feed = parseFeed(bytes, { url: c.expected.url });
        assert.deepEqual(plain(feed), c.expected.feed);
        if (c.expected.choices) {
          assert.deepEqual(plain(feed.items.map(chooseEnclosures)), c.expected.choices);
        }
      }
      assert.ok(performance.now() - t0 < 500, 'quick');
    });
  }
});
