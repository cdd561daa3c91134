/**
 * Search through the real API on both databases: `seedcast serve`'s `startServer` (SQLite in the data
 * folder, or PostgreSQL through `databaseUrl`), items published over HTTP with `POST /api/v1/items`,
 * then found with `GET /api/v1/search` by a word of their description. Hostile queries are plain
 * words, facets count the filtered result, pages split it, and bad parameters are 400s naming the
 * field.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, startServer } from '../src/server.js';
import { type PostgresServer, postgresAvailable, startPostgres } from './helpers/postgres.js';
import { freePort } from './helpers/tools.js';

async function account(url: string, username: string): Promise<Record<string, string>> {
  const credentials = { username, password: 'correct horse' };
  const json = { 'content-type': 'application/json' };
  await fetch(`${url}/api/v1/users`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
  const res = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(credentials),
  });
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}

async function publish(url: string, auth: Record<string, string>, fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([Buffer.alloc(20_000, fields.title!.length)]), `${fields.title}.ogg`);
  const res = await fetch(`${url}/api/v1/items`, { method: 'POST', headers: auth, body: form });
  const body = (await res.json()) as { id: number };
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

type SearchBody = {
  total: number;
  page: number;
  perPage: number;
  items: { id: number; title: string; files: unknown[]; tags: string[] }[];
  facets: Record<string, { value: string; count: number }[]>;
  error?: { code: string; message: string };
};

async function search(url: string, query: string): Promise<{ status: number; body: SearchBody }> {
  const res = await fetch(`${url}/api/v1/search?${query}`);
  return { status: res.status, body: (await res.json()) as SearchBody };
}

function searchSuite(name: string, database: { url(): Promise<string | undefined>; stop(): Promise<void> }) {
  describe(`search through the API (${name})`, () => {
    let server: RunningServer;
    let url = '';
    const made: Record<string, number> = {};
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-search-'));
    before(async () => {
      server = await startServer({
        host: '127.0.0.1',
        port: await freePort(),
        peerPort: 0,
        data: join(dir, 'data'),
        databaseUrl: await database.url(),
      });
      url = server.url;
      const ada = await account(url, 'ada');
      const bob = await account(url, 'bob');
      made.lighthouse = (
        await publish(url, ada, {
          title: 'Coastal evening',
          description: 'Waves breaking below an old lighthouse, filmed from the cliffs.',
          creator: 'Ada Lovelace',
          license: 'CC-BY-4.0',
          tags: 'sea, evening',
        })
      ).id;
      made.harbour = (
        await publish(url, bob, {
          title: 'Harbour at dawn',
          description: 'Fishing boats leave the harbour.',
          creator: 'Bob',
          license: 'CC0-1.0',
          tags: 'sea',
        })
      ).id;
      made.forest = (
        await publish(url, bob, {
          title: 'Forest walk',
          description: 'Birdsong; no sea at all.',
          creator: 'Bob',
        })
      ).id;
    });
    after(async () => {
      await server?.close();
      await database.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('search finds by a word of the description on both databases', async () => {
      const { status, body } = await search(url, 'q=lighthouse');
      assert.equal(status, 200);
      assert.equal(body.total, 1);
      assert.deepEqual(
        body.items.map((i) => i.id),
        [made.lighthouse],
      );
      const item = body.items[0]!;
      assert.equal(item.title, 'Coastal evening');
      assert.deepEqual(item.tags, ['evening', 'sea']);
      assert.equal(item.files.length, 1);
      assert.deepEqual(
        (await search(url, 'q=cliffs%20light')).body.items.map((i) => i.id),
        [made.lighthouse],
        'prefix on the last word',
      );
      assert.equal((await search(url, 'q=submarine')).body.total, 0);
    });

    test('injection attempts are words, never syntax', async () => {
      for (const q of [
        '"',
        '*',
        'NEAR(',
        'NEAR(harbour',
        "'; drop table items; --",
        'harbour" OR "forest',
        '!&|:*()',
      ]) {
        const { status, body } = await search(url, `q=${encodeURIComponent(q)}`);
        assert.equal(status, 200, `${q}: ${JSON.stringify(body)}`);
      }
      assert.deepEqual(
        (await search(url, `q=${encodeURIComponent('"harbour')}`)).body.items.map((i) => i.id),
        [made.harbour],
      );
      assert.equal((await search(url, `q=${encodeURIComponent('harbour" OR "forest')}`)).body.total, 0);
      assert.equal((await search(url, '')).body.total, 3, 'the items table is still there');
    });

    test('facets count the filtered result; pages split it', async () => {
      const all = (await search(url, '')).body;
      assert.deepEqual(all.facets.tag, [
        { value: 'sea', count: 2 },
        { value: 'evening', count: 1 },
      ]);
      assert.deepEqual(all.facets.creator, [
        { value: 'Bob', count: 2 },
        { value: 'Ada Lovelace', count: 1 },
      ]);
      assert.deepEqual(all.facets.type, [{ value: 'audio', count: 3 }]);
      const sea = (await search(url, 'q=sea')).body;
      assert.equal(sea.total, 3, 'a tag, and a word of a description');
      const tagged = (await search(url, 'tag=sea&user=bob')).body;
      assert.deepEqual(
        tagged.items.map((i) => i.id),
        [made.harbour],
      );
      assert.deepEqual(tagged.facets.license, [{ value: 'CC0-1.0', count: 1, label: 'CC0 1.0' }]);
      const page1 = (await search(url, 'sort=title&per_page=2')).body;
      const page2 = (await search(url, 'sort=title&per_page=2&page=2')).body;
      assert.deepEqual(
        [...page1.items, ...page2.items].map((i) => i.title),
        ['Coastal evening', 'Forest walk', 'Harbour at dawn'],
      );
      assert.equal(page2.total, 3);
      assert.equal(page2.perPage, 2);
    });

    test('bad parameters are 400 naming the field', async () => {
      for (const [query, field] of [
        ['per_page=1000', 'per_page'],
        ['page=0', 'page'],
        ['sort=random', 'sort'],
        ['type=hologram', 'type'],
        ['page=600', 'page'],
      ]) {
        const { status, body } = await search(url, query!);
        assert.equal(status, 400, query);
        assert.match(body.error!.message, new RegExp(field!), query);
      }
    });
  });
}

searchSuite('SQLite', { url: async () => undefined, stop: async () => {} });

if (postgresAvailable('search through the API on PostgreSQL')) {
  let pg: PostgresServer | undefined;
  searchSuite('PostgreSQL', {
    async url() {
      pg = await startPostgres();
      return pg.createDatabase();
    },
    stop: async () => pg?.stop(),
  });
}
