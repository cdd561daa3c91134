/**
 * The site's feeds on both databases (`app.inject()`, real catalog, blobs, engine and tracker), read
 * by real parsers: every RSS and Atom form (site-wide, per tag, user, channel and search, the
 * BitTorrent-first form, an empty site) parses with Debian's python3-feedparser without a bozo
 * error; the default `<enclosure>` is the media file with its exact length and type; the
 * BitTorrent-first enclosures are torrents libtorrent loads with the item's info hash; hostile user
 * text (`<script>`, `&`, `]]>`, quotes) comes back exactly as written through a strict XML parser and
 * never as markup; conditional GET answers 304; OPML, oEmbed, the embed page and OAI-PMH (verbs,
 * paging, selective harvesting, error codes) answer well-formed documents.
 * Skips loudly without python3-feedparser or libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Fastify from 'fastify';
import { installErrorHandlers } from '../src/web/errors.js';
import { feedRoutes } from '../src/web/routes/feeds.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { LIBTORRENT_PYTHON, requireTools, tempDir } from './helpers/tools.js';
import { BASE, login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

const FEED_CHECK = new URL('./helpers/feed_check.py', import.meta.url).pathname;
const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

const AUDIO = Buffer.from(new Uint8Array(150_000).map((_, i) => (i * 2654435761) >>> 24));
const VIDEO = Buffer.from(new Uint8Array(90_000).map((_, i) => (i * 40503) >>> 8));
const HOSTILE_TITLE = `<script>alert("t")</script> & ]]> Tom's "cut" <b>`;
const HOSTILE_TEXT = `</description><script>evil()</script>\n]]>&amp; <![CDATA[ x ]]> line 2`;
/** The description is Markdown: as plain text, `&amp;` is the `&` it stands for. */
const HOSTILE_PLAIN = HOSTILE_TEXT.replace('&amp;', '&');

// biome-ignore lint/suspicious/noExplicitAny: parsed trees and JSON answers, checked by assertions
type Any = any;
type Tree = [string, Record<string, string>, string, Tree[]];

interface Parsed {
  bozo: boolean;
  exception: string;
  version: string;
  title: string;
  entries: {
    title: string;
    title_type: string;
    id: string;
    link: string;
    summary: string;
    summary_type: string;
    enclosures: { href: string; type: string; length: string }[];
    tags: string[];
  }[];
}

/** Runs feed_check.py over documents: `feed` ones through feedparser, `xml` ones through xml.etree. */
function check(
  dir: string,
  docs: Record<string, { kind: 'feed' | 'xml'; body: string }>,
): Record<string, Any> {
  const args: string[] = [];
  const names = Object.keys(docs);
  names.forEach((name, n) => {
    const path = join(dir, `doc-${n}`);
    writeFileSync(path, docs[name]!.body);
    args.push(`${docs[name]!.kind}=${path}`);
  });
  const out = JSON.parse(execFileSync(LIBTORRENT_PYTHON, [FEED_CHECK, ...args], { encoding: 'utf8' }));
  return Object.fromEntries(names.map((name, n) => [name, out[join(dir, `doc-${n}`)]]));
}

const NS = {
  atom: '{http://www.w3.org/2005/Atom}',
  oai: '{http://www.openarchives.org/OAI/2.0/}',
  dc: '{http://purl.org/dc/elements/1.1/}',
};

function find(tree: Tree, tag: string): Tree[] {
  const out: Tree[] = [];
  const walk = (t: Tree) => {
    if (t[0] === tag) out.push(t);
    for (const c of t[3]) walk(c);
  };
  walk(tree);
  return out;
}
const texts = (tree: Tree, tag: string) => find(tree, tag).map((t) => t[2]);

async function publish(s: TestSite, auth: Record<string, string>, parts: Part[]): Promise<Any> {
  const body = multipart(parts);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function get(s: { app: TestSite['app'] }, url: string, headers: Record<string, string> = {}) {
  return s.app.inject({ method: 'GET', url: url.startsWith(BASE) ? url.slice(BASE.length) : url, headers });
}

async function body(s: { app: TestSite['app'] }, url: string): Promise<string> {
  const res = await get(s, url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
  return res.body;
}

/** A site with three items by two users: audio (in a channel), a hostile-titled video, a PDF. */
async function populated(s: TestSite) {
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const adaUser = (await s.site.users.byName('ada'))!;
  await s.site.channels.create({ ownerId: adaUser.id, slug: 'mornings', title: 'Mornings & <Dawns>' });
  const dawn = await publish(s, ada, [
    { name: 'title', value: 'Dawn chorus' },
    { name: 'description', value: 'Birds at five.' },
    { name: 'license', value: 'CC0-1.0' },
    { name: 'tags', value: 'birds, Field Recording' },
    { name: 'channel', value: 'mornings' },
    { name: 'file', filename: 'dawn.mp3', value: AUDIO, type: 'audio/mpeg' },
  ]);
  const hostile = await publish(s, ada, [
    { name: 'title', value: HOSTILE_TITLE },
    { name: 'description', value: HOSTILE_TEXT },
    { name: 'creator', value: '<i>Mallory</i> & co' },
    { name: 'tags', value: '<script>, birds' },
    { name: 'file', filename: 'clip.mp4', value: VIDEO, type: 'video/mp4' },
  ]);
  const notes = await publish(s, bob, [
    { name: 'title', value: 'Lecture notes' },
    { name: 'license', value: 'https://creativecommons.org/licenses/by/4.0/' },
    { name: 'tags', value: 'talks' },
    { name: 'file', filename: 'notes.pdf', value: Buffer.from('%PDF-1.4 notes'), type: 'application/pdf' },
  ]);
  // The media analysis updates items after publishing; let it finish so the feeds hold still.
  await s.site.media?.idle();
  return { dawn, hostile, notes };
}

function skipWithoutTools(t: TestContext): boolean {
  return requireTools(t, 'libtorrent') && feedparserAvailable(t);
}

function feedparserAvailable(t: TestContext): boolean {
  try {
    execFileSync(LIBTORRENT_PYTHON, ['-c', 'import feedparser'], { stdio: 'ignore' });
    return true;
  } catch {
    const message = 'missing python3-feedparser (install it: see .ci/run)';
    if (process.env.CI === 'true') throw new Error(message);
    process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
    t.skip(message);
    return false;
  }
}

describeOnEachDatabase('site feeds', (fresh) => {
  test('every feed form parses with feedparser; enclosures are the media file, or the torrent first', async (t) => {
    if (!skipWithoutTools(t)) return;
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const dir = tempDir(t);
    const { dawn, hostile, notes } = await populated(s);

    const urls = [
      '/feeds/items.rss',
      '/feeds/items.atom',
      '/feeds/items.rss?enclosure=torrent',
      '/feeds/items.atom?enclosure=torrent',
      '/feeds/items.rss?tag=birds',
      '/feeds/items.rss?tag=Field%20Recording',
      '/feeds/items.atom?user=bob',
      '/feeds/items.rss?channel=mornings',
      '/channels/mornings/feed.rss',
      '/users/ada/feed.atom?enclosure=torrent',
      '/feeds/items.rss?q=chorus',
      '/feeds/items.atom?q=LECTURE',
      '/feeds/items.rss?q=%3Cscript%3E&tag=birds&enclosure=torrent',
    ];
    const docs: Record<string, { kind: 'feed' | 'xml'; body: string }> = {};
    for (const url of urls) {
      const res = await get(s, url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
      assert.match(
        String(res.headers['content-type']),
        url.includes('.rss')
          ? /^application\/rss\+xml; charset=utf-8$/
          : /^application\/atom\+xml; charset=utf-8$/,
      );
      docs[url] = { kind: 'feed', body: res.body };
      docs[`xml ${url}`] = { kind: 'xml', body: res.body };
    }
    const out = check(dir, docs);
    const titles = (url: string) => (out[url] as Parsed).entries.map((e) => e.title);
    for (const url of urls) {
      const p = out[url] as Parsed;
      assert.equal(p.bozo, false, `${url}: feedparser says ${p.exception}`);
      assert.equal(out[`xml ${url}`].ok, true, `${url}: ${out[`xml ${url}`].error}`);
      assert.match(p.version, url.includes('.rss') ? /^rss20$/ : /^atom10$/, url);
    }
    // Newest first; filters select what they say.
    assert.equal(titles('/feeds/items.rss').length, 3);
    assert.deepEqual(
      titles('/feeds/items.rss').filter((x) => x !== titles('/feeds/items.rss')[1]),
      ['Lecture notes', 'Dawn chorus'],
    );
    assert.equal(titles('/feeds/items.rss?tag=birds').length, 2);
    assert.deepEqual(titles('/feeds/items.rss?tag=Field%20Recording'), ['Dawn chorus']);
    assert.deepEqual(titles('/feeds/items.atom?user=bob'), ['Lecture notes']);
    assert.deepEqual(titles('/feeds/items.rss?channel=mornings'), ['Dawn chorus']);
    assert.deepEqual(titles('/channels/mornings/feed.rss'), ['Dawn chorus']);
    assert.equal((out['/channels/mornings/feed.rss'] as Parsed).title, 'Mornings & <Dawns>');
    assert.equal(titles('/users/ada/feed.atom?enclosure=torrent').length, 2);
    assert.deepEqual(titles('/feeds/items.rss?q=chorus'), ['Dawn chorus']);
    assert.deepEqual(titles('/feeds/items.atom?q=LECTURE'), ['Lecture notes']);
    assert.equal(titles('/feeds/items.rss?q=%3Cscript%3E&tag=birds&enclosure=torrent').length, 1);

    // Default form: the media file over HTTP with its exact length and type; guid = item page.
    for (const url of ['/feeds/items.rss', '/feeds/items.atom']) {
      const entry = (out[url] as Parsed).entries.find((e) => e.title === 'Dawn chorus')!;
      assert.equal(entry.id, dawn.url, `${url}: guid/id is the item page`);
      assert.equal(entry.link, dawn.url);
      assert.deepEqual(entry.enclosures[0], {
        href: dawn.files[0].url,
        type: 'audio/mpeg',
        length: String(AUDIO.length),
      });
      const notesEntry = (out[url] as Parsed).entries.find((e) => e.title === 'Lecture notes')!;
      assert.equal(notesEntry.enclosures[0]!.type, 'application/pdf');
      const file = await get(s, entry.enclosures[0]!.href);
      assert.ok(file.rawPayload.equals(AUDIO), 'the enclosure serves the media bytes');
    }
    // The swarm beside it: podcast:alternateEnclosure sources and Media RSS, in the raw RSS.
    const rss = docs['/feeds/items.rss']!.body;
    assert.ok(
      rss.includes(`<podcast:source uri="${dawn.torrentUrl}" contentType="application/x-bittorrent"/>`),
    );
    assert.ok(rss.includes(`<podcast:source uri="${dawn.magnet.replace(/&/g, '&amp;')}"/>`), 'magnet source');
    assert.ok(rss.includes(`<media:content url="${dawn.torrentUrl}" type="application/x-bittorrent"`));
    assert.ok(
      rss.includes(
        '<podcast:license url="https://creativecommons.org/publicdomain/zero/1.0/">CC0-1.0</podcast:license>',
      ),
    );
    assert.ok(rss.includes('<itunes:explicit>false</itunes:explicit>'));

    // BitTorrent-first: every enclosure is a .torrent that libtorrent loads with the item's info hash.
    const byTitle = new Map<string, Any>([
      ['Dawn chorus', dawn],
      [HOSTILE_TITLE, hostile],
      ['Lecture notes', notes],
    ]);
    let loaded = 0;
    for (const url of ['/feeds/items.rss?enclosure=torrent', '/feeds/items.atom?enclosure=torrent']) {
      const p = out[url] as Parsed;
      assert.equal(p.entries.length, 3);
      for (const [n, e] of p.entries.entries()) {
        const xmlTitle = url.includes('rss')
          ? find(out[`xml ${url}`].tree, 'item')[n]![3].find((c: Tree) => c[0] === 'title')![2]
          : find(out[`xml ${url}`].tree, `${NS.atom}entry`)[n]![3].find(
              (c: Tree) => c[0] === `${NS.atom}title`,
            )![2];
        const item = byTitle.get(xmlTitle);
        assert.ok(item, `${url}: entry ${n} is a published item (${xmlTitle})`);
        const enc = e.enclosures[0]!;
        assert.equal(enc.type, 'application/x-bittorrent');
        assert.equal(enc.href, item.torrentUrl);
        const torrent = await get(s, enc.href);
        assert.equal(torrent.statusCode, 200);
        assert.equal(String(torrent.rawPayload.length), enc.length, 'enclosure length is the .torrent size');
        const path = join(dir, `t-${loaded}.torrent`);
        writeFileSync(path, torrent.rawPayload);
        const info = JSON.parse(
          execFileSync(LIBTORRENT_PYTHON, [LT_TOOL, 'info', path], { encoding: 'utf8' }),
        );
        assert.equal(info.v1, item.infoHash, 'libtorrent reads the info hash the site published');
        assert.equal(info.files[0].length, item.files[0].length);
        loaded++;
      }
    }
    assert.equal(loaded, 6);
  });

  test('user text is escaped: exact through a strict XML parser, never markup', async (t) => {
    if (!skipWithoutTools(t)) return;
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const dir = tempDir(t);
    const { hostile } = await populated(s);
    const rss = await body(s, '/feeds/items.rss');
    const atom = await body(s, '/feeds/items.atom');
    const json = await body(s, '/feeds/items.json');
    for (const [name, doc] of [
      ['rss', rss],
      ['atom', atom],
      ['json', json],
    ]) {
      assert.ok(!/<script/i.test(doc!), `${name}: no raw <script`);
      assert.ok(!/<\/description><script/.test(doc!), `${name}: no element break-out`);
      assert.ok(!doc!.includes(']]>'), `${name}: no raw ]]>`);
      assert.ok(!doc!.includes('<b>'), `${name}: no raw <b>`);
    }
    const out = check(dir, {
      rss: { kind: 'xml', body: rss },
      atom: { kind: 'xml', body: atom },
      fp: { kind: 'feed', body: rss },
      fpAtom: { kind: 'feed', body: atom },
    });
    const item = find(out.rss.tree, 'item').find((i: Tree) =>
      i[3].some((c) => c[0] === 'guid' && c[2] === hostile.url),
    )!;
    const child = (t: Tree, tag: string) => t[3].find((c) => c[0] === tag)![2];
    assert.equal(child(item, 'title'), HOSTILE_TITLE);
    assert.equal(child(item, '{http://purl.org/dc/elements/1.1/}creator'), '<i>Mallory</i> & co');
    assert.equal(child(item, '{http://www.itunes.com/dtds/podcast-1.0.dtd}summary'), HOSTILE_PLAIN);
    // The description is read as HTML: the plain text escaped.
    assert.equal(
      child(item, 'description'),
      '&lt;/description&gt;&lt;script&gt;evil()&lt;/script&gt;\n]]&gt;&amp; &lt;![CDATA[ x ]]&gt; line 2',
    );
    const encoded = child(item, '{http://purl.org/rss/1.0/modules/content/}encoded');
    assert.ok(!/<script/i.test(encoded) && encoded.includes('&lt;script&gt;evil()'), encoded);
    assert.ok(texts(item, 'category').includes('<script>'));
    const entry = find(out.atom.tree, `${NS.atom}entry`).find((e: Tree) =>
      e[3].some((c) => c[0] === `${NS.atom}id` && c[2] === hostile.url),
    )!;
    assert.equal(child(entry, `${NS.atom}title`), HOSTILE_TITLE);
    assert.equal(child(entry, `${NS.atom}summary`), HOSTILE_PLAIN);
    for (const fp of [out.fp, out.fpAtom] as Parsed[]) {
      assert.equal(fp.bozo, false, fp.exception);
      const e = fp.entries.find((x) => x.id === hostile.url)!;
      // feedparser reads the title as plain text, exactly as written (not as markup).
      assert.deepEqual([e.title, e.title_type], [HOSTILE_TITLE, 'text/plain']);
      if (e.summary_type === 'text/html') {
        assert.ok(!/<script/i.test(e.summary), 'the HTML summary has no script element');
        assert.ok(e.summary.includes('&lt;script&gt;evil()'), 'the text itself is kept, escaped');
      } else {
        assert.deepEqual([e.summary, e.summary_type], [HOSTILE_PLAIN, 'text/plain']);
      }
    }
    const feed = JSON.parse(json);
    const j = feed.items.find((i: Any) => i.id === hostile.url);
    assert.equal(j.title, HOSTILE_TITLE);
    assert.equal(j.content_text, HOSTILE_PLAIN);
    assert.ok(!j.content_html.includes('<script'));
    // The embed page and oEmbed escape it too.
    const embed = await body(s, `/items/${hostile.id}/embed`);
    assert.ok(!/<script/i.test(embed) && embed.includes('&lt;script&gt;alert'));
    const oembed = (await get(s, `/oembed?url=${encodeURIComponent(hostile.url)}`)).json();
    assert.ok(!/<script/i.test(oembed.html) && oembed.html.includes('title="&lt;script&gt;'));
    assert.equal(oembed.title, HOSTILE_TITLE);
  });

  test('JSON Feed, OPML, oEmbed and the embed page', async (t) => {
    if (!skipWithoutTools(t)) return;
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const dir = tempDir(t);
    const { dawn, hostile } = await populated(s);

    const res = await get(s, '/feeds/items.json?tag=birds');
    assert.equal(res.headers['content-type'], 'application/feed+json; charset=utf-8');
    const feed = res.json();
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(feed.feed_url, `${BASE}/feeds/items.json?tag=birds`);
    assert.deepEqual(
      feed.items.map((i: Any) => i.id),
      [hostile.url, dawn.url],
    );
    const d = feed.items[1];
    assert.deepEqual(d.attachments[0], {
      url: dawn.files[0].url,
      mime_type: 'audio/mpeg',
      size_in_bytes: AUDIO.length,
    });
    assert.equal(d.attachments[1].url, dawn.torrentUrl);
    assert.equal(d._seedcast.magnet, dawn.magnet);
    const tf = (await get(s, '/feeds/items.json?enclosure=torrent')).json();
    for (const i of tf.items) assert.equal(i.attachments[0].mime_type, 'application/x-bittorrent');

    const opml = await get(s, '/feeds/channels.opml');
    assert.equal(opml.statusCode, 200);
    const out = check(dir, { opml: { kind: 'xml', body: opml.body } });
    assert.equal(out.opml.ok, true);
    const outlines = find(out.opml.tree, 'outline').map((o: Tree) => o[1]);
    assert.deepEqual(
      outlines.map((o: Any) => [o.text, o.xmlUrl]),
      [
        ['Seedcast: newest items', `${BASE}/feeds/items.rss`],
        ['Mornings & <Dawns>', `${BASE}/channels/mornings/feed.rss`],
      ],
    );
    for (const o of outlines) assert.equal((await get(s, o.xmlUrl!)).statusCode, 200);

    const audio = (await get(s, `/oembed?url=${encodeURIComponent(dawn.url)}&format=json`)).json();
    assert.equal(audio.type, 'rich');
    assert.equal(audio.version, '1.0');
    assert.equal(audio.provider_name, 'Seedcast');
    assert.equal(audio.author_name, 'ada');
    assert.match(
      audio.html,
      new RegExp(`^<iframe src="${BASE}/items/${dawn.id}/embed" width="480" height="80"`),
    );
    const player = await get(s, `/items/${dawn.id}/embed`);
    assert.equal(player.statusCode, 200);
    assert.match(player.body, /^<!doctype html>\n<html lang="en">/);
    assert.match(
      player.body,
      /<audio controls preload="metadata" src="http:[^"]+"/,
      'the embed page plays the audio',
    );
    assert.match(player.headers['content-security-policy'] as string, /default-src 'none'/);
    const video = (await get(s, `/oembed?url=${encodeURIComponent(hostile.url)}&maxwidth=320`)).json();
    assert.equal(video.type, 'video');
    assert.deepEqual([video.width, video.height], [320, 180]);
    const xml = await get(s, `/oembed?url=${encodeURIComponent(dawn.url)}&format=xml`);
    assert.equal(check(dir, { x: { kind: 'xml', body: xml.body } }).x.tree[0], 'oembed');
    assert.equal((await get(s, `/oembed?url=${encodeURIComponent(dawn.url)}&format=yaml`)).statusCode, 501);
    assert.equal(
      (await get(s, `/oembed?url=${encodeURIComponent('https://elsewhere.test/items/1')}`)).statusCode,
      404,
    );
    assert.equal((await get(s, `/oembed?url=${encodeURIComponent(`${BASE}/items/9999`)}`)).statusCode, 404);
    assert.equal((await get(s, '/oembed')).statusCode, 400);

    // With a thumbnail (made by the media analysis), feeds and oEmbed point at it.
    await s.site.items.update(dawn.id, { thumbnailKey: `items/${dawn.id}/thumbnail` });
    const thumb = `${BASE}/items/${dawn.id}/thumbnail.jpg`;
    const withThumb = await body(s, '/feeds/items.rss');
    assert.ok(withThumb.includes(`<itunes:image href="${thumb}"/>`));
    assert.ok(withThumb.includes(`<media:thumbnail url="${thumb}"/>`));
    assert.equal((await get(s, `/oembed?url=${encodeURIComponent(dawn.url)}`)).json().thumbnail_url, thumb);

    const embed = await get(s, `/items/${dawn.id}/embed`);
    assert.equal(embed.statusCode, 200);
    assert.match(String(embed.headers['content-security-policy']), /default-src 'none'/);
    assert.ok(embed.body.includes(`<audio controls preload="metadata" src="${dawn.files[0].url}"`));
    assert.ok(
      (await body(s, `/items/${hostile.id}/embed`)).includes(
        `<video controls preload="metadata" src="${hostile.files[0].url}"`,
      ),
    );
    assert.equal((await get(s, '/items/9999/embed')).statusCode, 404);
  });

  test('conditional GET: ETag and Last-Modified, 304 until something changes; bad filters are 4xx', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const { dawn } = await populated(s);
    for (const url of [
      '/feeds/items.rss',
      '/feeds/items.atom?tag=birds',
      '/feeds/items.json',
      '/feeds/channels.opml',
    ]) {
      const first = await get(s, url);
      const etag = String(first.headers.etag);
      const modified = String(first.headers['last-modified']);
      assert.match(etag, /^"[A-Za-z0-9_-]{32}"$/, url);
      assert.ok(Date.parse(modified) > 0, `${url}: Last-Modified`);
      const again = await get(s, url);
      assert.equal(again.headers.etag, etag, `${url}: the same body, the same ETag`);
      const notModified = await get(s, url, { 'if-none-match': etag });
      assert.equal(notModified.statusCode, 304, url);
      assert.equal(notModified.body, '');
      assert.equal((await get(s, url, { 'if-none-match': `"other", ${etag}` })).statusCode, 304);
      assert.equal((await get(s, url, { 'if-modified-since': modified })).statusCode, 304, `${url}: IMS`);
      assert.equal(
        (await get(s, url, { 'if-none-match': '"other"', 'if-modified-since': modified })).statusCode,
        200,
      );
      assert.equal(
        (await get(s, url, { 'if-modified-since': new Date(Date.parse(modified) - 1000).toUTCString() }))
          .statusCode,
        200,
      );
    }
    // ?q= is the site's full-text search (words, the last one as a prefix), not a substring match.
    const matches = async (q: string) =>
      (await body(s, `/feeds/items.json?q=${q}`)).includes('"Dawn chorus"');
    assert.equal(await matches('chorus'), true);
    assert.equal(await matches('chor'), true);
    assert.equal(await matches('five%20birds'), true);
    assert.equal(await matches('horus'), false);
    assert.equal(await matches('chorus%20lecture'), false);

    const before = await get(s, '/feeds/items.rss');
    await s.site.items.update(dawn.id, { title: 'Dawn chorus (remastered)' });
    const after = await get(s, '/feeds/items.rss', { 'if-none-match': String(before.headers.etag) });
    assert.equal(after.statusCode, 200);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.ok(after.body.includes('Dawn chorus (remastered)'));
    await s.site.items.update(dawn.id, { status: 'taken_down' });
    const gone = await body(s, '/feeds/items.rss');
    assert.ok(!gone.includes('Dawn chorus'), 'taken-down items leave the feeds');

    assert.equal((await get(s, '/feeds/items.rss?enclosure=zip')).statusCode, 400);
    assert.equal((await get(s, '/feeds/items.rss?user=nobody')).statusCode, 404);
    assert.equal((await get(s, '/feeds/items.rss?channel=nothing')).statusCode, 404);
    assert.equal((await get(s, `/feeds/items.rss?q=${'x'.repeat(201)}`)).statusCode, 400);
    assert.equal((await get(s, '/channels/nothing/feed.atom')).statusCode, 404);
  });

  test('an empty site has valid, empty feeds and OAI-PMH says noRecordsMatch', async (t) => {
    if (!skipWithoutTools(t)) return;
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const dir = tempDir(t);
    const docs: Record<string, { kind: 'feed' | 'xml'; body: string }> = {};
    for (const url of ['/feeds/items.rss', '/feeds/items.atom', '/feeds/items.rss?enclosure=torrent']) {
      docs[url] = { kind: 'feed', body: await body(s, url) };
    }
    docs.opml = { kind: 'xml', body: await body(s, '/feeds/channels.opml') };
    docs.oai = { kind: 'xml', body: await body(s, '/oai?verb=ListRecords&metadataPrefix=oai_dc') };
    docs.sets = { kind: 'xml', body: await body(s, '/oai?verb=ListSets') };
    const out = check(dir, docs);
    for (const url of ['/feeds/items.rss', '/feeds/items.atom', '/feeds/items.rss?enclosure=torrent']) {
      assert.equal(out[url].bozo, false, `${url}: ${out[url].exception}`);
      assert.equal(out[url].entries.length, 0);
    }
    assert.equal(out.opml.ok, true);
    assert.equal(find(out.oai.tree, `${NS.oai}error`)[0]![1].code, 'noRecordsMatch');
    assert.equal(find(out.sets.tree, `${NS.oai}error`)[0]![1].code, 'noSetHierarchy');
    const json = (await get(s, '/feeds/items.json')).json();
    assert.deepEqual(json.items, []);
  });

  test('OAI-PMH: verbs, oai_dc records, sets, paging, from/until and the error codes', async (t) => {
    if (!skipWithoutTools(t)) return;
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const dir = tempDir(t);
    const { dawn, hostile, notes } = await populated(s);
    // A second app over the same services with small pages, so paging shows with three items.
    const small = Fastify();
    installErrorHandlers(small);
    await small.register(feedRoutes, { ...s.site, oaiPageSize: 2 });
    await small.ready();
    t.after(() => small.close());
    const site = { app: small };
    const host = 'site.test';
    const q = (query: string) => body(site, `/oai?${query}`);
    const docs: Record<string, { kind: 'xml'; body: string }> = {
      identify: { kind: 'xml', body: await q('verb=Identify') },
      formats: { kind: 'xml', body: await q('verb=ListMetadataFormats') },
      formatsOf: { kind: 'xml', body: await q(`verb=ListMetadataFormats&identifier=oai:${host}:${dawn.id}`) },
      sets: { kind: 'xml', body: await q('verb=ListSets') },
      page1: { kind: 'xml', body: await q('verb=ListRecords&metadataPrefix=oai_dc') },
      inSet: { kind: 'xml', body: await q('verb=ListIdentifiers&metadataPrefix=oai_dc&set=mornings') },
      record: {
        kind: 'xml',
        body: await q(`verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:${host}:${hostile.id}`),
      },
      window: {
        kind: 'xml',
        body: await q('verb=ListIdentifiers&metadataPrefix=oai_dc&from=2000-01-01&until=2999-12-31'),
      },
    };
    const errors: Record<string, string> = {
      '': 'badVerb',
      'verb=Dance': 'badVerb',
      'verb=Identify&verb=Identify': 'badVerb',
      'verb=Identify&extra=1': 'badArgument',
      'verb=ListRecords': 'badArgument',
      'verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc': 'badArgument',
      'verb=ListRecords&metadataPrefix=marc21': 'cannotDisseminateFormat',
      'verb=ListRecords&metadataPrefix=oai_dc&from=yesterday': 'badArgument',
      'verb=ListRecords&metadataPrefix=oai_dc&from=2020-02-30': 'badArgument',
      'verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2021-01-01T00:00:00Z': 'badArgument',
      'verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-02&until=2021-01-01': 'badArgument',
      'verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01': 'noRecordsMatch',
      'verb=ListRecords&metadataPrefix=oai_dc&until=1999-01-01T00:00:00Z': 'noRecordsMatch',
      'verb=ListIdentifiers&metadataPrefix=oai_dc&set=nope': 'noRecordsMatch',
      'verb=ListRecords&resumptionToken=not-a-token': 'badResumptionToken',
      'verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc': 'badArgument',
      'verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:site.test:9999': 'idDoesNotExist',
      'verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere:1': 'idDoesNotExist',
      [`verb=GetRecord&metadataPrefix=mods&identifier=oai:site.test:${dawn.id}`]: 'cannotDisseminateFormat',
      'verb=GetRecord&metadataPrefix=oai_dc': 'badArgument',
      'verb=ListMetadataFormats&identifier=oai:site.test:9999': 'idDoesNotExist',
    };
    for (const query of Object.keys(errors)) {
      const res = await get(site, `/oai?${query}`);
      assert.equal(res.statusCode, 200, query);
      assert.equal(res.headers['content-type'], 'text/xml; charset=utf-8');
      docs[`error ${query}`] = { kind: 'xml', body: res.body };
    }
    let out = check(dir, docs);
    for (const [name, r] of Object.entries(out)) assert.equal(r.ok, true, `${name}: ${r.error}`);
    for (const [query, code] of Object.entries(errors)) {
      const tree = out[`error ${query}`].tree as Tree;
      assert.equal(tree[0], `${NS.oai}OAI-PMH`);
      assert.deepEqual(
        find(tree, `${NS.oai}error`).map((e) => e[1].code),
        [code],
        query,
      );
      const request = find(tree, `${NS.oai}request`)[0]!;
      assert.equal(request[2], `${BASE}/oai`);
      if (code === 'badVerb' || code === 'badArgument') assert.deepEqual(request[1], {}, `${query}: no echo`);
    }
    const id = (tree: Tree) => texts(tree, `${NS.oai}identifier`);
    assert.deepEqual(texts(out.identify.tree, `${NS.oai}protocolVersion`), ['2.0']);
    assert.deepEqual(texts(out.identify.tree, `${NS.oai}baseURL`), [`${BASE}/oai`]);
    assert.deepEqual(texts(out.identify.tree, `${NS.oai}granularity`), ['YYYY-MM-DDThh:mm:ssZ']);
    assert.match(
      texts(out.identify.tree, `${NS.oai}earliestDatestamp`)[0]!,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    assert.deepEqual(texts(out.formats.tree, `${NS.oai}metadataPrefix`), ['oai_dc']);
    assert.deepEqual(texts(out.formatsOf.tree, `${NS.oai}metadataPrefix`), ['oai_dc']);
    assert.deepEqual(texts(out.sets.tree, `${NS.oai}setSpec`), ['mornings']);
    assert.deepEqual(texts(out.sets.tree, `${NS.oai}setName`), ['Mornings & <Dawns>']);
    assert.deepEqual(id(out.inSet.tree), [`oai:${host}:${dawn.id}`]);
    assert.deepEqual(texts(out.inSet.tree, `${NS.oai}setSpec`), ['mornings']);
    assert.equal(id(out.window.tree).length, 2, 'two per page');
    // Paging: two records, a token; then the last one and an empty token.
    assert.deepEqual(id(out.page1.tree), [`oai:${host}:${dawn.id}`, `oai:${host}:${hostile.id}`]);
    const token = find(out.page1.tree, `${NS.oai}resumptionToken`)[0]!;
    assert.equal(token[1].cursor, '0');
    assert.ok(token[2].length > 0);
    const page2 = await q(`verb=ListRecords&resumptionToken=${encodeURIComponent(token[2])}`);
    const viaPost = await small.inject({
      method: 'POST',
      url: '/oai',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ verb: 'ListRecords', resumptionToken: token[2] }).toString(),
    });
    assert.equal(viaPost.body.replace(/<responseDate>[^<]*/, ''), page2.replace(/<responseDate>[^<]*/, ''));
    out = check(dir, { page2: { kind: 'xml', body: page2 }, record: docs.record! });
    assert.deepEqual(id(out.page2.tree), [`oai:${host}:${notes.id}`]);
    const last = find(out.page2.tree, `${NS.oai}resumptionToken`)[0]!;
    assert.deepEqual([last[1].cursor, last[2]], ['2', '']);
    assert.deepEqual(texts(out.page2.tree, `${NS.dc}rights`), [
      'https://creativecommons.org/licenses/by/4.0/',
    ]);
    assert.deepEqual(texts(out.page2.tree, `${NS.dc}type`), ['Text']);
    // Dublin Core of the hostile item: the exact text.
    const rec = out.record.tree as Tree;
    assert.deepEqual(texts(rec, `${NS.dc}title`), [HOSTILE_TITLE]);
    assert.deepEqual(texts(rec, `${NS.dc}description`), [HOSTILE_TEXT]);
    assert.deepEqual(texts(rec, `${NS.dc}creator`), ['<i>Mallory</i> & co']);
    assert.deepEqual(texts(rec, `${NS.dc}type`), ['MovingImage']);
    assert.deepEqual(texts(rec, `${NS.dc}format`), ['video/mp4']);
    assert.deepEqual(texts(rec, `${NS.dc}identifier`), [hostile.url, hostile.magnet]);
    assert.deepEqual(texts(rec, `${NS.dc}subject`).sort(), ['<script>', 'birds']);
    // A taken-down item is no longer there.
    await s.site.items.update(hostile.id, { status: 'taken_down' });
    const gone = await q(`verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:${host}:${hostile.id}`);
    assert.ok(gone.includes('code="idDoesNotExist"'));
  });
});
