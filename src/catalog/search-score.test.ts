/**
 * The bm25 computed in `search-score.ts` is FTS5's own: on a SQLite catalog its scores equal
 * `bm25(items_fts, 10, 5, 5, 1, 0.5)` (negated) for one word, two words and a prefix, with
 * diacritics folded as `unicode61 remove_diacritics 2` folds them; past the document-count bound a
 * word's count is an estimate, and the scores stay close. The search extension's `seedcast_bm25`
 * (`native/sqlite_search.c`) gives the same scores from FTS5's position lists, also in the title
 * tier's query (the words first, then their column-filtered copy and filters, which weigh 0).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { hasSearchExtension, openDatabase } from '../db/index.js';
import { ItemRepository } from './items.js';
import { ftsQuery, searchWords } from './search.js';
import { bm25Inputs, bm25Scores, FTS_WEIGHTS } from './search-score.js';
import { filterTerm } from './search-terms.js';
import { UserRepository } from './users.js';

const TEXTS: [string, string, string][] = [
  ['Heron, heron, heron', 'A grey heron.', 'Ada'],
  ['Heron at dawn', 'Lake and reeds at dawn, a heron waits.', 'Bob'],
  ['Lake', 'A grey heron flies over a café by the lake.', 'Heron Society'],
  ['Café sounds', 'Cafe noise, recorded in a café.', 'Ada'],
  ['Herons of the lake', 'Many herons.', 'Cy'],
  ['Reeds', 'Nothing here.', 'Dee'],
];

async function catalog(searchExtension = true) {
  const db = await openDatabase({ sqlite: ':memory:' }, { searchExtension });
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

test("the search extension's seedcast_bm25 equals FTS5's bm25()", async (t) => {
  const db = await catalog();
  try {
    if (!hasSearchExtension(db)) {
      const why = 'the search extension is not built (npm run build:native)';
      if (process.env.CI === 'true') throw new Error(why);
      process.stderr.write(`\n*** SKIPPED "${t.name}": ${why} ***\n\n`);
      return t.skip(why);
    }
    const type = await sql<{ t: string }>`select media_type as t from items limit 1`.execute(db);
    const filter = filterTerm('type', type.rows[0]!.t);
    for (const q of ['heron', 'grey heron', 'hero', 'cafe', 'café lake', 'lake her']) {
      const { words, prefix } = searchWords(q);
      const text = ftsQuery(words, prefix);
      const fts = await sql<{ id: number; score: number }>`select rowid as id,
        -bm25(items_fts, 10.0, 5.0, 5.0, 1.0, 0.5) as score from items_fts
        where items_fts match ${text}`.execute(db);
      const { idf } = await bm25Inputs({ db, words, prefix, dfBound: 100, cache: new Map() });
      const args = sql.join([...FTS_WEIGHTS, 0, ...idf].map((a) => sql`${a}`));
      for (const match of [text, `(${text}) AND {title} : (${text})`, `(${text}) AND ${filter}`]) {
        const ours = await sql<{ id: number; score: number }>`select rowid as id,
          seedcast_bm25(items_fts, ${args}) as score from items_fts where items_fts match ${match}`.execute(
          db,
        );
        if (!match.includes('{')) assert.equal(ours.rows.length, fts.rows.length, match);
        for (const row of ours.rows) {
          const theirs = fts.rows.find((r) => r.id === row.id);
          assert.ok(theirs, `${match}: item ${row.id} matches the words`);
          if (words.length === 1) {
            const first = fts.rows[0]!;
            const mine = ours.rows.find((r) => r.id === first.id);
            if (mine)
              assert.ok(Math.abs(row.score / mine.score - theirs.score / first.score) < 1e-9, `${match}`);
          } else
            assert.ok(Math.abs(row.score - theirs.score) < 1e-9, `${match}: ${row.score} vs ${theirs.score}`);
        }
      }
    }
  } finally {
    await db.destroy();
  }
});

test('the search extension is not loaded when disabled', async () => {
  const db = await catalog(false);
  try {
    assert.equal(hasSearchExtension(db), false);
    await assert.rejects(
      sql`select seedcast_bm25(items_fts, 1) from items_fts where items_fts match 'heron'`.execute(db),
    );
  } finally {
    await db.destroy();
  }
});
