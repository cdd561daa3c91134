/**
 * A channel's feeds carry its channel-level facts, read back with strict parsers: Python's
 * xml.etree for RSS and Atom, and JSON: `itunes:image` (the avatar, absolute), `itunes:category`
 * nested from `A > B`, `podcast:guid` (checked against Python's own uuid5 of the feed URL without
 * its scheme), `podcast:medium`, the RSS `<image>`, Atom `<logo>` and JSON Feed `icon`.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { tinyPng } from './channels-fixtures.js';
import { requireTools, tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

const READ = `
import json, sys, uuid, xml.etree.ElementTree as ET
rss, atom, url = sys.stdin.read().split('\\0')
I = '{http://www.itunes.com/dtds/podcast-1.0.dtd}'
P = '{https://podcastindex.org/namespace/1.0}'
A = '{http://www.w3.org/2005/Atom}'
ch = ET.fromstring(rss).find('channel')
cat = ch.find(I + 'category')
feed = ET.fromstring(atom)
print(json.dumps({
  'image': ch.find(I + 'image').get('href'),
  'category': [cat.get('text'), [c.get('text') for c in cat.findall(I + 'category')]],
  'guid': ch.find(P + 'guid').text,
  'medium': ch.find(P + 'medium').text,
  'rssImage': ch.find('image/url').text,
  'atomLogo': feed.find(A + 'logo').text,
  'expectedGuid': str(uuid.uuid5(uuid.UUID('ead4c236-bf58-58c6-a2c6-a6b28d128cb6'), url.split('://', 1)[1].rstrip('/'))),
}))
`;

test("a channel's feeds carry its image, category, guid and medium", async (t) => {
  if (!requireTools(t, 'python3')) return;
  const dir = tempDir(t, 'seedcast-channels-feed-');
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
  });
  const ada = await login(s.app, 'ada');
  const made = await s.app.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: ada,
    payload: { name: 'night-radio', title: 'Night radio', description: 'Late.' },
  });
  assert.equal(made.statusCode, 201, made.body);
  const patched = await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/channels/night-radio',
    headers: ada,
    payload: { category: 'Technology > Podcasting', medium: 'music' },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const image = multipart([{ name: 'file', filename: 'a.png', value: tinyPng() }]);
  const avatar = await s.app.inject({
    method: 'PUT',
    url: '/api/v1/channels/night-radio/avatar',
    payload: image.payload,
    headers: { ...image.headers, ...ada },
  });
  assert.equal(avatar.statusCode, 200, avatar.body);
  const avatarUrl: string = avatar.json().avatarUrl;
  assert.match(avatarUrl, /^http:\/\/site\.test\/channels\/night-radio\/avatar\?v=/);

  const rss = await s.app.inject({ url: '/channels/night-radio/feed.rss' });
  const atom = await s.app.inject({ url: '/channels/night-radio/feed.atom' });
  const json = await s.app.inject({ url: '/channels/night-radio/feed.json' });
  for (const r of [rss, atom, json]) assert.equal(r.statusCode, 200);
  const feedUrl = 'http://site.test/channels/night-radio/feed.rss';
  const read = JSON.parse(
    execFileSync('python3', ['-c', READ], {
      input: [rss.body, atom.body, feedUrl].join('\0'),
      encoding: 'utf8',
    }),
  );
  assert.equal(read.image, avatarUrl);
  assert.deepEqual(read.category, ['Technology', ['Podcasting']]);
  assert.equal(read.guid, read.expectedGuid);
  assert.equal(read.medium, 'music');
  assert.equal(read.rssImage, avatarUrl);
  assert.equal(read.atomLogo, avatarUrl);
  assert.equal(json.json().icon, avatarUrl);

  // The same guid whichever address or form of the channel's feed is read.
  const other = await s.app.inject({ url: '/feeds/items.rss?channel=night-radio&enclosure=torrent' });
  assert.match(other.body, new RegExp(`<podcast:guid>${read.guid}</podcast:guid>`));
  // The site-wide feed keeps its default category and has no channel image.
  const site = (await s.app.inject({ url: '/feeds/items.rss' })).body;
  assert.match(site, /<itunes:category text="Society &amp; Culture"\/>/);
  assert.doesNotMatch(site, /<itunes:image href="[^"]*avatar/);
  // A changed category shows at once (the cached feed follows the channel's edits).
  await s.app.inject({
    method: 'PATCH',
    url: '/api/v1/channels/night-radio',
    headers: ada,
    payload: { category: 'Music' },
  });
  const after = (await s.app.inject({ url: '/channels/night-radio/feed.rss' })).body;
  assert.match(after, /<itunes:category text="Music"\/>/);
});
