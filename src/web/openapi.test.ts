/**
 * The OpenAPI document covers the API: every route Fastify registers under `/api/v1` (seen through
 * an `onRoute` hook on the real app with the site's services) has its path and method in
 * `GET /api/v1/openapi.json`, and the document lists nothing that is not served.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openTestSite } from '../../test/site-fixtures.js';
import { openDatabase } from '../db/index.js';
import { buildApp } from './app.js';
import { openApiPath } from './openapi.js';

test('every /api/v1 route is in the OpenAPI document, and only those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-openapi-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db);
  const app = buildApp({ site: s.site, tracker: s.tracker });
  const served = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    for (const method of [route.method].flat())
      served.add(`${method.toLowerCase()} ${openApiPath(route.url)}`);
  });
  await app.ready();
  t.after(async () => {
    await app.close();
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const res = await app.inject({ url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, object>))
    for (const method of Object.keys(ops)) documented.add(`${method} ${path}`);
  // Fastify adds a HEAD route beside each GET; those are implied by OpenAPI's get.
  const missing = [...served].filter(
    (r) => !documented.has(r) && !(r.startsWith('head ') && documented.has(r.replace(/^head/, 'get'))),
  );
  assert.deepEqual(missing, [], 'routes missing from the OpenAPI document');
  assert.deepEqual(
    [...documented].filter((r) => !served.has(r)),
    [],
    'documented but not served',
  );
  assert.ok(served.size >= 20, `saw ${served.size} routes`);
});
