/**
 * Items on both databases: created whole (files in order, tags normalised) or not at all; fields
 * checked and named when refused; hostile text kept as text; info hashes unique; updates, newest-first
 * paging, the tracker's list and deletion.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { HOSTILE } from '../db/contract.js';
import type { Database } from '../db/index.js';
import { isSeedcastError } from '../errors.js';
import { ChannelRepository } from './channels.js';
import type { NewItemInput } from './item-input.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

const H1 = 'a'.repeat(40);
const H2 = 'b'.repeat(64);

async function setup(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  return { items: new ItemRepository(db, { now: () => 1_750_000_000_000 }), owner };
}

function input(ownerId: number, over: Partial<NewItemInput> = {}): NewItemInput {
  return {
    ownerId,
    title: 'Night Train',
    description: 'A film about\na train.',
    creator: 'Someone',
    date: '2024-05-01',
    language: 'en',
    license: 'CC-BY-4.0',
    tags: ['Film', ' short  film ', 'film'],
    files: [
      { path: 'Night Train/movie.webm', length: 5_000_000_000, blobKey: 'items/1/files/0' },
      {
        path: ['Night Train', 'subs', 'en.vtt'],
        length: 1234,
        blobKey: 'items/1/files/1',
        mimeType: 'text/vtt',
      },
    ],
    infoHash: H1.toUpperCase(),
    infoHashV2: H2,
    mediaType: 'video',
    ...over,
  };
}

const invalid = (field: string) => (err: unknown) =>
  isSeedcastError(err, 'ITEM_INVALID') && err.message.includes(field);

describeOnEachDatabase('items', (fresh) => {
  test('an item is created with its files in order and its tags normalised', async () => {
    const { items, owner } = await setup(await fresh());
    const item = await items.create(input(owner.id));
    assert.equal(item.title, 'Night Train');
    assert.equal(item.status, 'pending');
    assert.equal(item.infoHash, H1);
    assert.equal(item.totalLength, 5_000_001_234);
    assert.deepEqual(item.tags, ['film', 'short film']);
    assert.deepEqual(
      item.files.map((f) => [f.position, f.path, f.length, f.blobKey, f.mimeType]),
      [
        [0, 'Night Train/movie.webm', 5_000_000_000, 'items/1/files/0', null],
        [1, 'Night Train/subs/en.vtt', 1234, 'items/1/files/1', 'text/vtt'],
      ],
    );
    assert.deepEqual(await items.get(item.id), item);
    assert.deepEqual(await items.byInfoHash(H1), item);
    assert.deepEqual(await items.byInfoHash(H2.toUpperCase()), item);
    assert.equal(await items.get(item.id + 1000), undefined);
  });

  test('refused fields are ITEM_INVALID naming the field, and nothing is stored', async () => {
    const db = await fresh();
    const { items, owner } = await setup(db);
    const bad: [Partial<NewItemInput>, string][] = [
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(301) }, 'title'],
      [{ title: 'nul\u0000byte' }, 'title'],
      [{ description: 'bell\u0007' }, 'description'],
      [{ description: 'x'.repeat(20_001) }, 'description'],
      [{ date: '2024-13-01' }, 'date'],
      [{ date: 'yesterday' }, 'date'],
      [{ language: 'english!' }, 'language'],
      [{ tags: ['a,b'] }, 'tags'],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      [{ files: [] }, 'files'],
      [{ files: [{ path: '../../etc/passwd', length: 1 }] }, 'files[0].path'],
      [{ files: [{ path: '/abs/file', length: 1 }] }, 'files[0].path'],
      [{ files: [{ path: 'a\\b', length: 1 }] }, 'files[0].path'],
      [{ files: [{ path: 'C:/x', length: 1 }] }, 'files[0].path'],
      [{ files: [{ path: 'ok', length: -1 }] }, 'files[0].length'],
      [{ files: [{ path: 'ok', length: 1, blobKey: '../x' }] }, 'files[0].blobKey'],
      [
        {
          files: [
            { path: 'same', length: 1 },
            { path: 'same', length: 2 },
          ],
        },
        'files[1].path',
      ],
      [{ infoHash: 'xyz' }, 'infoHash'],
      [{ infoHashV2: H1 }, 'infoHashV2'],
      [{ mediaType: 'hologram' as never }, 'mediaType'],
      [{ ownerId: -1 }, 'ownerId'],
      [{ ownerId: 999_999 }, 'owner'],
    ];
    for (const [over, field] of bad) {
      await assert.rejects(
        items.create(input(owner.id, over)),
        invalid(field),
        JSON.stringify(over).slice(0, 80),
      );
    }
    for (const table of ['items', 'item_files', 'item_tags', 'tags'] as const) {
      const rows = await db.selectFrom(table).selectAll().execute();
      assert.equal(rows.length, 0, `${table} is empty`);
    }
  });

  test('a second item with the same info hash is ITEM_CONFLICT and leaves no half item', async () => {
    const db = await fresh();
    const { items, owner } = await setup(db);
    await items.create(input(owner.id));
    await assert.rejects(
      items.create(input(owner.id, { infoHashV2: null, title: 'Copy', tags: ['new-tag'] })),
      (err) => isSeedcastError(err, 'ITEM_CONFLICT'),
    );
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 1);
    assert.equal((await db.selectFrom('item_files').selectAll().execute()).length, 2);
    assert.equal((await db.selectFrom('tags').selectAll().where('name', '=', 'new-tag').execute()).length, 0);
  });

  test('hostile text is stored and returned as text', async () => {
    const { items, owner } = await setup(await fresh());
    for (const [i, evil] of HOSTILE.entries()) {
      const description = [...evil]
        .filter((c) => c === '\t' || c === '\n' || c === '\r' || (c >= ' ' && c !== '\u007f'))
        .join('')
        .slice(0, 20_000);
      const item = await items.create(
        input(owner.id, {
          title: `t${i} ${description.slice(0, 200).replace(/\s+/g, ' ')}`,
          description,
          tags: [
            description
              .slice(0, 40)
              .replace(/,/g, '')
              .replace(/[\t\n\r]/g, ' '),
          ],
          infoHash: null,
          infoHashV2: null,
        }),
      );
      const again = await items.get(item.id);
      assert.equal(again?.description, description.trim());
      assert.equal(again?.title, item.title);
    }
  });

  test('updates change only the given fields; tags are replaced', async () => {
    const { items, owner } = await setup(await fresh());
    const item = await items.create(input(owner.id));
    const updated = await items.update(item.id, {
      title: 'Night Train (restored)',
      tags: ['Restored'],
      status: 'ready',
      date: null,
    });
    assert.equal(updated?.title, 'Night Train (restored)');
    assert.equal(updated?.description, item.description);
    assert.equal(updated?.date, null);
    assert.equal(updated?.status, 'ready');
    assert.deepEqual(updated?.tags, ['restored']);
    assert.equal(await items.update(item.id + 1000, { title: 'nope' }), undefined);
    await assert.rejects(items.update(item.id, { title: '' }), invalid('title'));
    await items.addBytesServed(item.id, 3_000_000_000);
    await items.addBytesServed(item.id, 3_000_000_000);
    assert.equal((await items.get(item.id))?.bytesServed, 6_000_000_000);
    await items.setFileBlob(item.id, 1, 'archive/subs');
    assert.equal((await items.get(item.id))?.files[1]?.blobKey, 'archive/subs');
  });

  test('newest pages through ready items; the tracker list skips taken-down items; delete removes', async () => {
    const { items, owner } = await setup(await fresh());
    const made = [];
    for (let i = 0; i < 5; i++) {
      const hex = i.toString(16);
      made.push(
        await items.create(
          input(owner.id, { title: `n${i}`, infoHash: hex.repeat(40), infoHashV2: null, status: 'ready' }),
        ),
      );
    }
    await items.create(input(owner.id, { title: 'pending', infoHash: null, infoHashV2: null }));
    const page1 = await items.newest({ limit: 3 });
    assert.deepEqual(
      page1.map((i) => i.title),
      ['n4', 'n3', 'n2'],
    );
    const page2 = await items.newest({ limit: 3, beforeId: page1[2]!.id });
    assert.deepEqual(
      page2.map((i) => i.title),
      ['n1', 'n0'],
    );
    assert.equal(page2[0]!.files.length, 2);
    await items.update(made[0]!.id, { status: 'taken_down' });
    const tracked = await items.trackedInfoHashes();
    assert.deepEqual(
      tracked.sort(),
      ['1', '2', '3', '4'].map((h) => h.repeat(40)),
    );
    assert.equal(await items.delete(made[1]!.id), true);
    assert.equal(await items.delete(made[1]!.id), false);
    assert.equal(await items.get(made[1]!.id), undefined);
  });

  test('list filters ready items by tag, owner, channel, words, change time and id cursor', async () => {
    const db = await fresh();
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const a = await users.register({ username: 'alice', password: 'password1' });
    const b = await users.register({ username: 'bob', password: 'password1' });
    const channel = await new ChannelRepository(db).create({ ownerId: b.id, slug: 'walks', title: 'Walks' });
    let now = 1_000_000;
    const items = new ItemRepository(db, { now: () => now });
    const make = async (ownerId: number, title: string, over: Partial<NewItemInput> = {}) => {
      now += 1000;
      return items.create(
        input(ownerId, {
          title,
          description: 'quiet',
          infoHash: null,
          infoHashV2: null,
          status: 'ready',
          tags: [],
          ...over,
        }),
      );
    };
    const x = await make(a.id, 'Rain on 100% Tin', {
      tags: ['Field Recording'],
      description: 'drops_and_more',
    });
    const y = await make(b.id, 'Forest walk', { tags: ['field recording', 'walk'], channelId: channel.id });
    const z = await make(b.id, 'City walk', { description: 'RAIN at night' });
    await make(a.id, 'hidden rain', { status: 'taken_down' });
    const titles = (list: { title: string }[]) => list.map((i) => i.title);
    assert.deepEqual(titles(await items.list()), ['City walk', 'Forest walk', 'Rain on 100% Tin']);
    assert.deepEqual(titles(await items.list({ tag: 'field recording' })), [
      'Forest walk',
      'Rain on 100% Tin',
    ]);
    assert.deepEqual(titles(await items.list({ ownerId: b.id })), ['City walk', 'Forest walk']);
    assert.deepEqual(titles(await items.list({ channelId: channel.id })), ['Forest walk']);
    assert.deepEqual(titles(await items.list({ text: 'rain' })), ['City walk', 'Rain on 100% Tin']);
    assert.deepEqual(titles(await items.list({ text: 'rain 100%' })), ['Rain on 100% Tin']);
    assert.deepEqual(titles(await items.list({ text: '0%' })), ['Rain on 100% Tin'], '% is a character');
    assert.deepEqual(titles(await items.list({ text: 's_a' })), ['Rain on 100% Tin'], '_ is a character');
    assert.deepEqual(titles(await items.list({ text: "'; drop table items; --" })), []);
    assert.deepEqual(titles(await items.list({ tag: 'walk', ownerId: a.id })), []);
    assert.deepEqual(titles(await items.list({ order: 'oldest', afterId: x.id, limit: 1 })), ['Forest walk']);
    assert.deepEqual(titles(await items.list({ updatedFrom: y.updatedAt, updatedUntil: y.updatedAt })), [
      'Forest walk',
    ]);
    assert.deepEqual(titles(await items.list({ ids: [z.id, x.id] })), ['City walk', 'Rain on 100% Tin']);
    assert.deepEqual(await items.list({ ids: [] }), []);
    assert.deepEqual(await items.lastChange(), { updatedAt: now, count: 4 });
  });

  test('media facts are recorded with when they were read; items never read are listed oldest first', async () => {
    const { items, owner } = await setup(await fresh());
    const made = [];
    for (const [i, status] of (['ready', 'pending', 'ready', 'ready'] as const).entries()) {
      const hex = (i + 1).toString(16);
      made.push(await items.create(input(owner.id, { infoHash: hex.repeat(40), infoHashV2: null, status })));
    }
    const [a, , c, d] = made.map((m) => m.id);
    assert.equal(made[0]!.mediaCheckedAt, null);
    assert.deepEqual(await items.withoutMediaFacts(), [a, c, d]);
    const updated = await items.update(c!, {
      mediaType: 'audio',
      mimeType: 'audio/mpeg',
      durationMs: 3_600_000_123,
      width: null,
      height: null,
      thumbnailKey: `items/${c}/thumbnail`,
      mediaCheckedAt: 1_750_000_000_999,
    });
    assert.deepEqual(
      [
        updated?.mediaType,
        updated?.mimeType,
        updated?.durationMs,
        updated?.width,
        updated?.thumbnailKey,
        updated?.mediaCheckedAt,
      ],
      ['audio', 'audio/mpeg', 3_600_000_123, null, `items/${c}/thumbnail`, 1_750_000_000_999],
    );
    assert.deepEqual(await items.withoutMediaFacts(), [a, d]);
    assert.deepEqual(await items.withoutMediaFacts({ afterId: a, limit: 5 }), [d]);
    assert.deepEqual(await items.withoutMediaFacts({ limit: 1 }), [a]);
    await assert.rejects(items.update(a!, { mediaCheckedAt: -1 }), invalid('mediaCheckedAt'));
    await assert.rejects(items.update(a!, { thumbnailKey: '../x' }), invalid('thumbnailKey'));
  });
});
