/**
 * An item's series and episode number end to end, on a real SQLite file behind `app.inject()`: the
 * API publishes, reads and changes them (a bad episode number is ITEM_INVALID naming the field),
 * OpenAPI describes them; the publish and edit forms offer them (a bad number comes back at its
 * field), the item page shows them; the feeds carry them as podcast apps read them: RSS
 * `itunes:episode` and `podcast:episode` (gPodder's own feed parser, podcastparser, reads the number)
 * and `dcterms:isPartOf`, Atom `dcterms:isPartOf`, JSON Feed's `_seedcast` extension, and OAI-PMH's
 * `dc:relation`. The podcastparser check skips loudly without gpo (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { requireTools } from './helpers/tools.js';
import { openPagesSite, pageSession } from './pages-fixtures.js';
import { login, multipart, type TestSite } from './site-fixtures.js';

async function publish(s: TestSite, auth: Record<string, string>, fields: Record<string, string>) {
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    {
      name: 'file',
      filename: 'talk.mp3',
      type: 'audio/mpeg',
      value: Buffer.from(`${fields.title} `.repeat(200)),
    },
  ]);
  return s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...body.headers, ...auth },
    payload: body.payload,
  });
}

/** podcastparser (gPodder's feed parser, installed with gpo) on an RSS document: each episode's number. */
function podcastparserNumbers(rss: string): unknown[] {
  const script = `import io, json, sys, podcastparser
feed = podcastparser.parse('https://site.test/feeds/items.rss', io.BytesIO(sys.stdin.buffer.read()))
print(json.dumps([e.get('number') for e in feed['episodes']]))`;
  const out = spawnSync('/usr/bin/python3', ['-c', script], { input: rss, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

test('series and episode: API, OpenAPI, forms, item page and feeds', async (t) => {
  const s = await openPagesSite(t);
  const ada = await login(s.app, 'ada');

  // Publish: refused numbers name the field; a good one is stored.
  for (const bad of ['0', 'three', '1.5']) {
    const refused = await publish(s, ada, { title: 'Bad', episode: bad });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error.code, 'ITEM_INVALID');
    assert.match(refused.json().error.message, /episode: a whole number from 1 to 2147483647$/);
  }
  const created = await publish(s, ada, { title: 'Night talk', series: 'Night Talks', episode: '3' });
  assert.equal(created.statusCode, 201, created.body);
  const item = created.json();
  assert.equal(item.series, 'Night Talks');
  assert.strictEqual(item.episode, 3);
  const plainAnswer = await publish(s, ada, { title: 'No series' });
  assert.equal(plainAnswer.statusCode, 201, plainAnswer.body);
  const plain = plainAnswer.json();
  assert.strictEqual(plain.series, null);
  assert.strictEqual(plain.episode, null);

  // Read and change through the API.
  const read = (await s.app.inject({ method: 'GET', url: `/api/v1/items/${item.id}` })).json();
  assert.equal(read.series, 'Night Talks');
  assert.strictEqual(read.episode, 3);
  const patch = (payload: unknown) =>
    s.app.inject({
      method: 'PATCH',
      url: `/api/v1/items/${item.id}`,
      headers: ada,
      payload: payload as object,
    });
  const patched = await patch({ episode: 4 });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.strictEqual(patched.json().episode, 4);
  assert.equal(patched.json().series, 'Night Talks');
  assert.equal((await patch({ episode: 0 })).statusCode, 400);

  // OpenAPI, generated from the routes' schemas, which read the declaration.
  const doc = (await s.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  const itemSchema = doc.components.schemas.Item.properties;
  assert.deepEqual(itemSchema.episode.type, ['integer', 'null']);
  assert.deepEqual(itemSchema.series.type, ['string', 'null']);
  const patchBody = doc.paths['/api/v1/items/{id}'].patch.requestBody.content['application/json'].schema;
  assert.equal(patchBody.properties.episode.minimum, 1);
  assert.equal(patchBody.properties.series.maxLength, 200);

  // The publish form and the edit form offer the fields; the edit form reports a bad number at it.
  const owner = await pageSession(s, 'ada');
  const upload = await s.app.inject({ method: 'GET', url: '/upload', headers: { cookie: owner.cookie } });
  assert.match(upload.body, /<input type="text" id="f-series" name="series"/);
  assert.match(upload.body, /<input type="number" id="f-episode" name="episode"/);
  assert.match(upload.body, /data-item-fields="[^"]*\bseries episode\b/);
  const edit = await s.app.inject({
    method: 'GET',
    url: `/items/${item.id}/edit`,
    headers: { cookie: owner.cookie },
  });
  assert.match(edit.body, /value="4" id="f-episode" name="episode"/);
  assert.match(edit.body, /value="Night Talks" id="f-series" name="series"/);
  const post = (fields: Record<string, string>) => {
    const body = multipart(Object.entries(fields).map(([name, value]) => ({ name, value })));
    return s.app.inject({
      method: 'POST',
      url: `/items/${item.id}/edit`,
      headers: { ...body.headers, cookie: owner.cookie },
      payload: body.payload,
    });
  };
  const wrong = await post({ _csrf: owner.csrf, title: 'Night talk', series: 'Night Talks', episode: 'x' });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /id="f-episode-error">a whole number from 1 to 2147483647</);
  assert.match(wrong.body, /value="x" id="f-episode"/, 'what was typed is kept');
  const saved = await post({ _csrf: owner.csrf, title: 'Night talk', series: 'Night Talks', episode: '5' });
  assert.ok(saved.statusCode < 400, saved.body);
  assert.strictEqual((await s.site.items.get(item.id))!.episode, 5);

  // The item page.
  const page = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.match(page.body, /<dd id="item-series">Night Talks<\/dd>/);
  assert.match(page.body, /<dd id="item-episode">5<\/dd>/);
  const plainPage = await s.app.inject({ method: 'GET', url: `/items/${plain.id}` });
  assert.doesNotMatch(plainPage.body, /id="item-fields"/);

  // The feeds.
  const rss = (await s.app.inject({ method: 'GET', url: '/feeds/items.rss' })).body;
  assert.match(rss, /xmlns:dcterms="http:\/\/purl.org\/dc\/terms\/"/);
  assert.match(rss, /<itunes:episode>5<\/itunes:episode>/);
  assert.match(rss, /<podcast:episode>5<\/podcast:episode>/);
  assert.match(rss, /<dcterms:isPartOf>Night Talks<\/dcterms:isPartOf>/);
  assert.equal(rss.match(/<itunes:episode>/g)?.length, 1, 'only the item with a number has one');
  const atom = (await s.app.inject({ method: 'GET', url: '/feeds/items.atom' })).body;
  assert.match(atom, /xmlns:dcterms="http:\/\/purl.org\/dc\/terms\/"/);
  assert.match(atom, /<dcterms:isPartOf>Night Talks<\/dcterms:isPartOf>/);
  const json = (await s.app.inject({ method: 'GET', url: '/feeds/items.json' })).json();
  const entry = json.items.find((i: { title: string }) => i.title === 'Night talk');
  assert.equal(entry._seedcast.series, 'Night Talks');
  assert.strictEqual(entry._seedcast.episode, 5);
  const oai = (
    await s.app.inject({
      method: 'GET',
      url: `/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=${encodeURIComponent(
        `oai:site.test:${item.id}`,
      )}`,
    })
  ).body;
  assert.match(oai, /<dc:relation>Night Talks<\/dc:relation>/, oai.slice(0, 2000));

  await t.test("gPodder's feed parser reads the episode number", (st) => {
    if (!requireTools(st, 'gpo')) return;
    const numbers = podcastparserNumbers(rss);
    assert.deepEqual(numbers.sort(), [5, null].sort());
  });
});
