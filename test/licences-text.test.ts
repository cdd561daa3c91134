/**
 * Text (issue 19), through the real server (`startServer`, SQLite): an item's Markdown description
 * is HTML in RSS `content:encoded` (content module namespace declared), Atom `<content
 * type="html">` and JSON Feed `content_html`, and plain text (no `**`, no tags) in RSS
 * `description` and `itunes:summary`, Atom `<summary>` and `content_text`. Feeds are parsed with the
 * namespace-aware reader of `src/feeds/xml-read.ts` (fast-xml-parser is not one of our dependencies), so
 * elements are found by namespace URI, not by prefix. A comment's `**bold**` is bold on the item page and its `<script>` is text.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attr, child, parseXml, textOf, type XmlElement } from '../src/feeds/xml-read.js';
import { type RunningServer, startServer } from '../src/server.js';
import { freePort } from './helpers/tools.js';

const DESCRIPTION =
  'Waves at **dusk** near the [old lighthouse](https://example.org/light).\n\n- gulls\n- wind';
const PLAIN = 'Waves at dusk near the old lighthouse (https://example.org/light).\n\n- gulls\n- wind';

describe('licences: Markdown in feeds and comments', () => {
  let server: RunningServer;
  let url = '';
  let id = 0;
  let auth: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-text-'));
  before(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: await freePort(),
      peerPort: 0,
      data: join(dir, 'data'),
    });
    url = server.url;
    const credentials = { username: 'ada', password: 'correct horse' };
    const json = { 'content-type': 'application/json' };
    await fetch(`${url}/api/v1/users`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    const res = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(credentials),
    });
    auth = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
    const form = new FormData();
    form.append('title', 'Lighthouse');
    form.append('description', DESCRIPTION);
    form.append('license', 'CC-BY-4.0');
    form.append('file', new Blob([Buffer.alloc(5_000, 7)]), 'light.ogg');
    const published = await fetch(`${url}/api/v1/items`, { method: 'POST', headers: auth, body: form });
    assert.equal(published.status, 201);
    id = ((await published.json()) as { id: number }).id;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plainText = (text: string) => {
    assert.equal(text, PLAIN);
    assert.doesNotMatch(text, /\*\*|<[a-z/]/);
  };

  const NS = {
    content: 'http://purl.org/rss/1.0/modules/content/',
    itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
    podcast: 'https://podcastindex.org/namespace/1.0',
    atom: 'http://www.w3.org/2005/Atom',
  };
  const get = (el: XmlElement, ns: string, local: string) => {
    const found = child(el, [ns, local]);
    assert.ok(found, `${ns} ${local}`);
    return found;
  };

  test('RSS: HTML in content:encoded, plain text in description and itunes:summary', async () => {
    const xml = await (await fetch(`${url}/feeds/items.rss`)).text();
    assert.match(xml, /<rss [^>]*xmlns:content="http:\/\/purl.org\/rss\/1.0\/modules\/content\/"/);
    const item = get(get(parseXml(xml, { url }), '', 'channel'), '', 'item');
    const html = textOf(get(item, NS.content, 'encoded'));
    assert.match(
      html,
      /Waves at <strong>dusk<\/strong> near the <a href="https:\/\/example.org\/light" rel="nofollow ugc noopener">old lighthouse<\/a>/,
    );
    assert.match(html, /<ul>\s*<li>gulls<\/li>/);
    plainText(textOf(get(item, '', 'description')));
    plainText(textOf(get(item, NS.itunes, 'summary')));
    const license = get(item, NS.podcast, 'license');
    assert.equal(textOf(license), 'CC-BY-4.0');
    assert.equal(attr(license, 'url'), 'https://creativecommons.org/licenses/by/4.0/');
  });

  test('Atom: content type="html" and a plain summary', async () => {
    const xml = await (await fetch(`${url}/feeds/items.atom`)).text();
    const entry = get(parseXml(xml, { url }), NS.atom, 'entry');
    const content = get(entry, NS.atom, 'content');
    assert.equal(attr(content, 'type'), 'html');
    assert.match(textOf(content), /<strong>dusk<\/strong>/);
    plainText(textOf(get(entry, NS.atom, 'summary')));
  });

  test('JSON Feed: content_html and content_text', async () => {
    const feed = (await (await fetch(`${url}/feeds/items.json`)).json()) as {
      items: { content_html: string; content_text: string }[];
    };
    assert.match(feed.items[0]!.content_html, /<strong>dusk<\/strong>/);
    plainText(feed.items[0]!.content_text);
  });

  test('a comment renders bold and keeps its script as text', async () => {
    const res = await fetch(`${url}/api/v1/items/${id}/comments`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        body: 'Really **bold** work <script>alert(1)</script>\n\n![x](https://tracker.example/p.gif)',
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const page = await (await fetch(`${url}/items/${id}`)).text();
    const body = /<div class="comment-body">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? '';
    assert.match(body, /Really <strong>bold<\/strong> work &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(body, /<script|<img/);
  });
});
