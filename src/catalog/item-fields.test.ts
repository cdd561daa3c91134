/**
 * The item's field declaration (`item-fields.ts`): every field is complete and its column exists
 * after the migrations; the checks keep the rules the catalog always had (title required, dates and
 * language tags, control characters) and enforce the new ones (`series` at most 200 characters,
 * `episode` a whole number from 1); and on SQLite and PostgreSQL alike the repository stores, reads,
 * changes and clears `series` and `episode` (migration 0023_item_series).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import {
  checkItemField,
  ITEM_FIELDS,
  type ItemFieldSpec,
  itemField,
  itemFieldsFromText,
} from './item-fields.js';
import { ItemRepository } from './items.js';
import { UserRepository } from './users.js';

const refused = (field: string, why: string) => (err: unknown) =>
  isSeedcastError(err, 'ITEM_INVALID') && err.message.endsWith(`${field}: ${why}`);

test('every declared field is complete and named once', () => {
  const names = new Set<string>();
  for (const f of ITEM_FIELDS as readonly ItemFieldSpec[]) {
    assert.match(f.name, /^[a-z][A-Za-z]*$/, f.name);
    assert.match(f.column, /^[a-z][a-z_]*$/, f.column);
    assert.ok(!names.has(f.name), `${f.name} declared twice`);
    names.add(f.name);
    assert.ok(f.form.label && f.api, `${f.name}: a label and an API description`);
    const feeds = f.feeds;
    assert.ok(feeds.written || feeds.rss || feeds.atom || feeds.json, `${f.name}: says what the feeds carry`);
    for (const x of [...(feeds.rss ?? []), ...(feeds.atom ?? [])])
      assert.match(x.element, /^(itunes|podcast|dcterms):[A-Za-z]+$/, `${f.name}: a namespaced element`);
  }
});

test('the checks keep the old rules and add the new fields', () => {
  const check = (name: Parameters<typeof itemField>[0], value: unknown) =>
    checkItemField(itemField(name), value);
  assert.equal(check('title', '  Night Train '), 'Night Train');
  assert.throws(() => check('title', '  '), refused('title', 'required'));
  assert.throws(() => check('title', null), refused('title', 'must be text'));
  assert.equal(check('description', 'two\nlines'), 'two\nlines');
  assert.throws(() => check('creator', 'a\nb'), refused('creator', 'control characters'));
  assert.equal(check('date', ''), null);
  assert.equal(check('date', '2024-05'), '2024-05');
  assert.throws(
    () => check('date', '2024-13'),
    refused('date', 'an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or a full date and time)'),
  );
  assert.throws(
    () => check('language', 'english!'),
    refused('language', 'a BCP 47 tag such as "en" or "pt-BR"'),
  );
  assert.throws(() => check('language', 'x'.repeat(36)), refused('language', 'at most 35 characters'));

  assert.equal(check('series', ' Night Talks '), 'Night Talks');
  assert.equal(check('series', ''), null);
  assert.throws(() => check('series', 's'.repeat(201)), refused('series', 'at most 200 characters'));
  assert.equal(check('episode', 3), 3);
  assert.equal(check('episode', ' 12 '), 12);
  assert.equal(check('episode', ''), null);
  assert.equal(check('episode', null), null);
  for (const bad of [0, -1, 1.5, '1.5', 'three', '0x10', 2 ** 31, true])
    assert.throws(
      () => check('episode', bad),
      refused('episode', 'a whole number from 1 to 2147483647'),
      String(bad),
    );
});

test('form text becomes the catalog input: absent optional fields are empty, the title stays absent', () => {
  const input = itemFieldsFromText({ description: 'd', episode: '2' }) as Record<string, unknown>;
  assert.equal(input.title, undefined);
  assert.equal(input.description, 'd');
  assert.equal(input.creator, '');
  assert.equal(input.date, null);
  assert.equal(input.series, null);
  assert.equal(input.episode, '2');
});

describeOnEachDatabase('item fields (series, episode)', (fresh) => {
  test('stored, read back, changed and cleared', async () => {
    const db = await fresh();
    const owner = await new UserRepository(db, { scrypt: { N: 1024 } }).register({
      username: 'host',
      password: 'password1',
    });
    const items = new ItemRepository(db);
    const files = [{ path: 'talk.mp3', length: 10, blobKey: 'items/1/files/0' }];
    const plain = await items.create({ ownerId: owner.id, title: 'No series', files });
    assert.equal(plain.series, null);
    assert.equal(plain.episode, null);

    const item = await items.create({
      ownerId: owner.id,
      title: 'Episode three',
      series: 'Night Talks',
      episode: '3',
      files: [{ path: 'three.mp3', length: 10, blobKey: 'items/2/files/0' }],
    });
    assert.equal(item.series, 'Night Talks');
    assert.equal(item.episode, 3);
    const read = (await items.get(item.id))!;
    assert.equal(read.series, 'Night Talks');
    assert.strictEqual(read.episode, 3);

    const changed = (await items.update(item.id, { episode: 4, title: 'Episode four' }))!;
    assert.equal(changed.episode, 4);
    assert.equal(changed.series, 'Night Talks', 'absent: unchanged');
    const cleared = (await items.update(item.id, { series: '', episode: null }))!;
    assert.equal(cleared.series, null);
    assert.equal(cleared.episode, null);
    await assert.rejects(
      items.update(item.id, { episode: 0 }),
      refused('episode', 'a whole number from 1 to 2147483647'),
    );
  });
});
