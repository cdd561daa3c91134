/**
 * Search benchmark: fills a fresh catalog (SQLite in a temp folder, or PostgreSQL with
 * `--pg <url-of-an-empty-database>`) with N items whose words follow a Zipf law (common and rare
 * words, 3 tags each, 1,000 creators, mixed types and licences), then times `SearchRepository.search`
 * over a mix of queries (one and two words, prefixes, a word with a type, tag, licence or creator,
 * listings without text, facets always on) and prints p50/p99 per query shape and overall. Beside each shape with text it times the
 * named peer on the same data and words: the database's own full-text query ranking every match
 * and returning the best 20 (SQLite: FTS5 `ORDER BY bm25(...) LIMIT 20`; PostgreSQL:
 * `ORDER BY ts_rank_cd(...) LIMIT 20` over the GIN index), without totals or facets. `bounded` is
 * the share of queries whose ranking ran over the bounded candidate set (`rankEstimated`). The
 * peer ranks the word alone (filters are not part of it). `--keep` reuses a filled file; opening
 * it runs any migration it lacks (`0024_search_index` rebuilds the full-text index: minutes at 1M).
 *
 *   node --import tsx bench/search.ts [--items 100000] [--queries 600] [--keep file.db]
 *   node --import tsx bench/search.ts --pg            (a real PostgreSQL started on loopback)
 *   node --import tsx bench/search.ts --pg-url postgres://...   (an empty database)
 *   node --import tsx bench/search.ts --pg-keep /var/tmp/seedcast-pg   (PostgreSQL in a kept folder)
 *
 * SQLite with the search extension built: each query also runs through a second connection
 * without it (JavaScript bm25; `--before-mmap`: with 256 MiB mapped, as before 2 GiB), the two
 * alternating which goes first, every answer checked equal, CPU ms per query printed for both
 * (`--no-ab` skips it).
 *
 * `--pg-keep` keeps PostgreSQL's data folder and its database `bench_<items>` between runs, so 1M
 * items are filled once (a database not holding exactly `--items` items is filled again); opening
 * it runs any migration it lacks. The benchmark's PostgreSQL runs with 512 MB of shared buffers (the
 * tests' 16 MB would make every query a system call per page), like a site's.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import {
  ItemRepository,
  type SearchQuery,
  SearchRepository,
  type SearchResult,
  searchWords,
  UserRepository,
} from '../src/catalog/index.js';
import { ftsQuery, tsQuery } from '../src/catalog/search.js';
import { databaseKind, hasSearchExtension, MEDIA_TYPES, openDatabase } from '../src/db/index.js';
import { startPostgres } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '600' },
    pg: { type: 'boolean', default: false },
    'pg-url': { type: 'string' },
    keep: { type: 'string' },
    'no-ab': { type: 'boolean', default: false },
    'before-mmap': { type: 'boolean', default: false },
    'pg-keep': { type: 'string' },
  },
});
const N = Number(values.items);

/** The two paths must agree (the A/B): the same page, total and facets. */
function assertSame(query: SearchQuery, a: SearchResult, b: SearchResult) {
  const key = (r: SearchResult) =>
    JSON.stringify([r.items.map((i) => i.id), r.total, r.facets, r.rankEstimated, r.facetsEstimated]);
  if (key(a) !== key(b)) throw new Error(`the two paths differ for ${JSON.stringify(query)}`);
}
const Q = Number(values.queries);

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${'abcdefghij'[i % 10]}`);
// Zipf: rank r chosen with probability ~ 1/r.
const H = VOCAB.reduce((s, _, i) => s + 1 / (i + 1), 0);
const zipf = () => {
  let x = random() * H;
  for (let i = 0; i < VOCAB.length; i++) {
    x -= 1 / (i + 1);
    if (x <= 0) return VOCAB[i]!;
  }
  return VOCAB[VOCAB.length - 1]!;
};
const words = (n: number) => Array.from({ length: n }, zipf).join(' ');
const LICENSES = ['CC-BY-4.0', 'CC0-1.0', 'CC-BY-SA-4.0', null];

const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-search-'));
let reuse = values.keep !== undefined && existsSync(values.keep);
const pgKeep = values['pg-keep'];
const server =
  (values.pg || pgKeep) && !values['pg-url']
    ? await startPostgres({
        ...(pgKeep ? { keep: pgKeep } : {}),
        settings: { shared_buffers: '512MB', maintenance_work_mem: '256MB', max_wal_size: '4GB' },
      })
    : undefined;
const pgUrl =
  values['pg-url'] ?? (pgKeep && server ? await keptDatabase(server.url) : await server?.createDatabase());

/** `--pg-keep`: the database `bench_<N>`, reused when it holds exactly N items, else made anew. */
async function keptDatabase(url: string): Promise<string> {
  const name = `bench_${N}`;
  const target = url.replace(/\/postgres$/, `/${name}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) {
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      const n = await client
        .query('select count(*)::int as n from items')
        .then((r) => r.rows[0].n as number)
        .catch(() => -1);
      await client.end();
      if (n === N) {
        reuse = true;
        return target;
      }
      await admin.query(`drop database ${name}`);
    }
    await admin.query(`create database ${name}`);
    return target;
  } finally {
    await admin.end();
  }
}
const db = await openDatabase(pgUrl ?? { sqlite: values.keep ?? join(dir, 'bench.db') });
let plain: typeof db | undefined;
try {
  const items = new ItemRepository(db);
  const search = new SearchRepository(db, items);
  // The page cache and memory map are the site's own (src/db/open.ts), so the figures are a site's.
  if (!reuse) await fill();
  async function fill() {
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const owner = await users.register({ username: 'bench', password: 'password1' });
    const started = performance.now();
    await db
      .insertInto('tags')
      .values(Array.from({ length: 300 }, (_, i) => ({ name: `tag${i}` })))
      .execute();
    const tagIds = (await db.selectFrom('tags').select('id').orderBy('id').execute()).map((t) => t.id);
    // SQLite: rows go in as `pending` (outside the search index) with their tags, then become
    // `ready` in one update per batch, so the index is written once per item instead of once per
    // tag link. PostgreSQL: rows go in `ready` with their `tag_names` already set, and the tag
    // links with triggers off for the transaction (they would only write the same names again).
    const postgres = databaseKind(db) === 'postgres';
    const BATCH = 2000;
    for (let start = 0; start < N; start += BATCH) {
      await db.transaction().execute(async (tx) => {
        const rows = Array.from({ length: Math.min(BATCH, N - start) }, (_, k) => ({
          owner_id: owner.id,
          title: words(3),
          description: words(25),
          creator: `Creator ${Math.floor(random() * 1000)}`,
          license: LICENSES[Math.floor(random() * LICENSES.length)]!,
          media_type: MEDIA_TYPES[Math.floor(random() * MEDIA_TYPES.length)]!,
          status: postgres ? ('ready' as const) : ('pending' as const),
          created_at: 1_700_000_000_000 + start + k,
          updated_at: 1_700_000_000_000 + start + k,
          tag_names: '',
        }));
        const chosen = rows.map((row) => {
          const tags = new Set<number>();
          while (tags.size < 3) tags.add(Math.floor(random() ** 2 * tagIds.length));
          row.tag_names = postgres
            ? [...tags]
                .map((t) => `tag${t}`)
                .sort()
                .join(' ')
            : '';
          return [...tags];
        });
        const ids = await tx.insertInto('items').values(rows).returning('id').execute();
        const links = ids.flatMap(({ id }, k) =>
          chosen[k]!.map((t) => ({ item_id: id, tag_id: tagIds[t]! })),
        );
        if (postgres) await sql`set local session_replication_role = replica`.execute(tx);
        await tx.insertInto('item_tags').values(links).execute();
        if (!postgres) {
          await tx
            .updateTable('items')
            .set({ status: 'ready' })
            .where('id', '>=', ids[0]!.id)
            .where('id', '<=', ids.at(-1)!.id)
            .execute();
        }
      });
      if (start % 100_000 === 0 && start > 0) console.log(`  ${start} items...`);
    }
    // Statistics for the planner after a bulk load (what autovacuum would do a little later).
    await sql`analyze`.execute(db);
    console.log(`${N} items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  const kinds: [string, () => SearchQuery][] = [
    ['common word', () => ({ q: VOCAB[Math.floor(random() * 20)] })],
    ['mid word', () => ({ q: VOCAB[20 + Math.floor(random() * 500)] })],
    ['rare word', () => ({ q: VOCAB[1000 + Math.floor(random() * 4000)] })],
    ['two words', () => ({ q: `${zipf()} ${zipf()}` })],
    ['prefix', () => ({ q: VOCAB[Math.floor(random() * 2000)]!.slice(0, 3) })],
    ['word + type', () => ({ q: zipf(), type: MEDIA_TYPES[Math.floor(random() * 6)] })],
    ['word + tag', () => ({ q: zipf(), tags: [`tag${Math.floor(random() * 300)}`] })],
    ['word + licence', () => ({ q: zipf(), license: LICENSES[Math.floor(random() * 3)]! })],
    ['word + creator', () => ({ q: zipf(), creator: `Creator ${Math.floor(random() * 1000)}` })],
    ['listing', () => ({ page: 1 + Math.floor(random() * 20) })],
    ['type listing', () => ({ type: MEDIA_TYPES[Math.floor(random() * 6)] })],
    ['tag listing', () => ({ tags: [`tag${Math.floor(random() * 300)}`] })],
    ['title sort', () => ({ sort: 'title', page: 1 + Math.floor(random() * 10) })],
  ];
  const kind = databaseKind(db);
  /** The peer: the database's own full-text query, ranking every match, best 20, nothing else. */
  const peer = async (q: string) => {
    const { words: w, prefix } = searchWords(q);
    if (kind === 'sqlite') {
      await sql`select rowid from items_fts where items_fts match ${ftsQuery(w, prefix)}
        order by bm25(items_fts, 10.0, 5.0, 5.0, 1.0, 0.5) limit 20`.execute(db);
    } else {
      await sql`select id from items where status = 'ready'
        and search_vector @@ to_tsquery('simple', ${tsQuery(w, prefix)})
        order by ts_rank_cd(search_vector, to_tsquery('simple', ${tsQuery(w, prefix)})) desc limit 20`.execute(
        db,
      );
    }
  };
  // A/B in one process (SQLite with the search extension): the same file through a second
  // connection without it (bm25 in JavaScript, as before the extension), the two alternating
  // which goes first. CPU time per query is the figure to trust on a shared machine.
  plain =
    kind === 'sqlite' && hasSearchExtension(db) && !values['no-ab']
      ? await openDatabase({ sqlite: values.keep ?? join(dir, 'bench.db') }, { searchExtension: false })
      : undefined;
  // The JavaScript side as main opened it: 256 MiB of the file mapped (src/db/open.ts maps 2 GiB now).
  if (plain && values['before-mmap']) await sql`pragma mmap_size = 268435456`.execute(plain);
  const jsSearch = plain && new SearchRepository(plain, new ItemRepository(plain));
  const timed = async (repo: SearchRepository, query: SearchQuery) => {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = await repo.search(query);
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    return { result, wall, cpu: (used.user + used.system) / 1000 };
  };
  const all: number[] = [];
  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
  console.log(
    `${kind}, ${N} items; p99 target 50 ms; peer: ${kind === 'sqlite' ? 'FTS5 bm25' : 'ts_rank_cd'} top 20 of every match`,
  );
  console.log(
    'bounds (defaults): count, facets and ranking exact up to 2,000 matches each, estimates past them',
  );
  console.log(`search extension (seedcast_bm25): ${hasSearchExtension(db) ? 'loaded' : 'not loaded'}`);
  if (jsSearch)
    console.log(
      `A/B: cpu = CPU ms per query with the extension; js = the same without it (JavaScript bm25${values['before-mmap'] ? ', 256 MiB mapped as before' : ''})`,
    );
  console.log(
    `${'shape'.padEnd(14)}      p50       p99       max  estimated  bounded  peer p99  ratio` +
      (jsSearch ? '   cpu p50   cpu p99    js p99 js cpu p50 js cpu p99  cpu/js' : ''),
  );
  for (const [name, make] of kinds) {
    const times: number[] = [];
    const cpus: number[] = [];
    const jsTimes: number[] = [];
    const jsCpus: number[] = [];
    const peerTimes: number[] = [];
    let estimated = 0;
    let bounded = 0;
    for (let i = 0; i < Q / kinds.length; i++) {
      const query = make();
      const jsFirst = jsSearch && i % 2 === 1 ? await timed(jsSearch, query) : undefined;
      const { result, wall, cpu } = await timed(search, query);
      times.push(wall);
      cpus.push(cpu);
      const js = jsFirst ?? (jsSearch && (await timed(jsSearch, query)));
      if (js) {
        jsTimes.push(js.wall);
        jsCpus.push(js.cpu);
        assertSame(query, result, js.result);
      }
      if (result.totalCapped) estimated++;
      if (result.rankEstimated) bounded++;
      if (query.q !== undefined) {
        const t1 = performance.now();
        await peer(query.q);
        peerTimes.push(performance.now() - t1);
      }
    }
    all.push(...times);
    const peerP99 = peerTimes.length > 0 ? pct(peerTimes, 0.99) : undefined;
    console.log(
      `${name.padEnd(14)}${ms(pct(times, 0.5))} ${ms(pct(times, 0.99))} ${ms(Math.max(...times))}` +
        `  ${`${Math.round((100 * estimated) / times.length)} %`.padStart(9)}` +
        `  ${`${Math.round((100 * bounded) / times.length)} %`.padStart(7)}` +
        (peerP99 === undefined
          ? ''.padEnd(jsSearch ? 17 : 0)
          : ` ${ms(peerP99)}  ${(pct(times, 0.99) / peerP99).toFixed(2)}x`.padEnd(17)) +
        (jsSearch
          ? ` ${ms(pct(cpus, 0.5))} ${ms(pct(cpus, 0.99))} ${ms(pct(jsTimes, 0.99))} ${ms(pct(jsCpus, 0.5))} ${ms(pct(jsCpus, 0.99))}  ${(pct(cpus, 0.99) / pct(jsCpus, 0.99)).toFixed(2)}x`
          : ''),
    );
  }
  console.log(`${'all'.padEnd(14)}${ms(pct(all, 0.5))} ${ms(pct(all, 0.99))}`);
} finally {
  await plain?.destroy();
  await db.destroy();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
