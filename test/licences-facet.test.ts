/**
 * One licence whatever its spelling (issue 19), through the real server (`startServer`, SQLite):
 * three items published over the API with `CC0-1.0`, the https CC0 URL and the http one without a
 * trailing slash are stored as `CC0-1.0`, make one licence facet entry counting 3 (labelled
 * "CC0 1.0"), and a filter in any of the three forms finds all three, in the API and on the search
 * page. The item's JSON carries the licence's name and link; its page shows the name, the badge
 * and the deed link. A licence the table does not know is a 400 naming `license`.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, startServer } from '../src/server.js';
import { freePort } from './helpers/tools.js';

const FORMS = [
  'CC0-1.0',
  'https://creativecommons.org/publicdomain/zero/1.0/',
  'http://creativecommons.org/publicdomain/zero/1.0',
];

async function token(url: string): Promise<Record<string, string>> {
  const credentials = { username: 'ada', password: 'correct horse' };
  const json = { 'content-type': 'application/json' };
  await fetch(`${url}/api/v1/users`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
  const res = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(credentials),
  });
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}

async function publish(url: string, auth: Record<string, string>, title: string, license: string) {
  const form = new FormData();
  form.append('title', title);
  form.append('license', license);
  form.append('file', new Blob([Buffer.alloc(5_000, title.length)]), `${title}.ogg`);
  const res = await fetch(`${url}/api/v1/items`, { method: 'POST', headers: auth, body: form });
  return { status: res.status, body: (await res.json()) as { id: number; error?: { message: string } } };
}

type Facet = { value: string; count: number; label?: string };

describe('licences: one facet entry whatever the form', () => {
  let server: RunningServer;
  let url = '';
  const ids: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-licences-'));
  before(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: await freePort(),
      peerPort: 0,
      data: join(dir, 'data'),
    });
    url = server.url;
    const auth = await token(url);
    for (const [n, form] of FORMS.entries()) {
      const { status, body } = await publish(url, auth, `Tide ${n}`, form);
      assert.equal(status, 201, JSON.stringify(body));
      ids.push(body.id);
    }
    assert.equal((await publish(url, auth, 'Other', 'CC-BY-SA-4.0')).status, 201);
    const bad = await publish(url, auth, 'Bad', 'https://creativecommons.org/licenses/by/9.0/');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error!.message, /license: /);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('stored as CC0-1.0, with its name and deed in the item JSON', async () => {
    for (const id of ids) {
      const item = (await (await fetch(`${url}/api/v1/items/${id}`)).json()) as {
        license: string;
        licenseInfo: { id: string; name: string; url: string; version: string };
      };
      assert.equal(item.license, 'CC0-1.0');
      assert.equal(item.licenseInfo.name, 'CC0 1.0');
      assert.equal(item.licenseInfo.url, 'https://creativecommons.org/publicdomain/zero/1.0/');
      assert.equal(item.licenseInfo.version, '1.0');
    }
  });

  test('one licence facet entry counting the three; each form filters to all three', async () => {
    const all = (await (await fetch(`${url}/api/v1/search`)).json()) as { facets: { license: Facet[] } };
    const cc0 = all.facets.license.filter((f) => f.label === 'CC0 1.0' || f.value.includes('zero'));
    assert.deepEqual(cc0, [{ value: 'CC0-1.0', count: 3, label: 'CC0 1.0' }]);
    for (const form of FORMS) {
      const res = await fetch(`${url}/api/v1/search?license=${encodeURIComponent(form)}`);
      const body = (await res.json()) as { total: number; items: { id: number }[] };
      assert.deepEqual(body.items.map((i) => i.id).sort(), [...ids].sort(), form);
      const page = await (await fetch(`${url}/search?license=${encodeURIComponent(form)}`)).text();
      assert.match(page, /3 results/, form);
      assert.match(page, /aria-current="true">✓ CC0 1.0<\/a> <span class="muted">\(3\)/, form);
    }
    const page = await (await fetch(`${url}/search`)).text();
    assert.equal(page.match(/>CC0 1.0</g)?.length, 1, 'one entry on the search page');
  });

  test('the item page shows the name, the badge and the deed link', async () => {
    const page = await (await fetch(`${url}/items/${ids[1]}`)).text();
    assert.match(
      page,
      /<a class="license-badge" href="https:\/\/creativecommons.org\/publicdomain\/zero\/1.0\/" rel="license noopener" id="license"><span class="license-button" aria-hidden="true"><span class="license-el">CC0<\/span><\/span>CC0 1.0<\/a>/,
    );
  });
});
