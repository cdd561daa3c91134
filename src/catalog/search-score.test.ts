/**
 * The bm25 computed in `search-score.ts` is FTS5's own: on a SQLite catalog its scores equal
 * `bm25(items_fts, 10, 5, 5, 1, 0.5)` (negated) for one word, two words and a prefix, with
 * diacritics folded as `unicode61 remove_diacritics 2` folds them; past the document-count bound a
 * word's count is an estimate, and the scores stay close.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../db/index.js';
import { ItemRepository } from './items.js';
import { ftsQuery, searchWords } from './search.js';
import { bm25Scores } from './search-score.js';
import { UserRepository } from './users.js';

const TEXTS: [string, string, string][] = [
  ['Heron, heron, heron', 'A grey heron.', 'Ada'],
  ['Heron at dawn', 'Lake and reeds at dawn, a heron waits.', 'Bob'],
  ['Lake', 'A grey heron flies over a café by the lake.', 'Heron Society'],
  ['Café sounds', 'Cafe noise, recorded in a café.', 'Ada'],
  ['Herons of the lake', 'Many herons.', 'Cy'],
  ['Reeds', 'Nothing here.', 'Dee'],
];

async function catalog() {
  const db = await openDatabase({ sqlite: ':memory:' });
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'ada', password: 'password1' });
  const items = new ItemRepository(db);
  for (const [title, description, creator] of TEXTS)
    await items.create({
      ownerId: owner.id,
      title,
      description,
      creator,
      files: [{ path: 'a.bin', length: 1 }],
      status: 'ready',
    });
  return db;
}

test("bm25 here equals FTS5's bm25()", async () => {
  const db = await catalog();
  try {
    for (const q of ['heron', 'grey heron', 'hero', 'cafe', 'café lake', 'lake her']) {
      const { words, prefix } = searchWords(q);
      const fts = await sql<{ id: number; score: number }>`select rowid as id,
        -bm25(items_fts, 10.0, 5.0, 5.0, 1.0, 0.5) as score from items_fts
        where items_fts match ${ftsQuery(words, prefix)}`.execute(db);
      assert.ok(fts.rows.length > 0, q);
      const ours = await bm25Scores(
        { db, words, prefix, dfBound: 100, cache: new Map() },
        fts.rows.map((r) => r.id),
      );
      for (const row of fts.rows) {
        const score = ours.get(row.id);
        assert.ok(score !== undefined, `${q}: item ${row.id} scored`);
        if (words.length === 1) {
          // One word: the IDF is left out (a constant factor), so compare ratios to the first.
          const first = fts.rows[0]!;
          const ratio = row.score / first.score;
          assert.ok(Math.abs(score / ours.get(first.id)! - ratio) < 1e-9, `${q}: item ${row.id}`);
        } else
          assert.ok(Math.abs(score - row.score) < 1e-9, `${q}: item ${row.id}: ${score} vs ${row.score}`);
      }
    }
    // A bound below a word's count: its count is estimated from the id range, still positive scores.
    const { words, prefix } = searchWords('grey heron');
    const ids = (await sql<{ id: number }>`select id from items`.execute(db)).rows.map((r) => r.id);
    const estimated = await bm25Scores({ db, words, prefix, dfBound: 1, cache: new Map() }, ids);
    assert.ok([...estimated.values()].some((s) => s > 0));
  } finally {
    await db.destroy();
  }
});
