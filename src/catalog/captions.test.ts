/**
 * Caption rows on both databases: one per item and language (a new one replaces it, its cues' words
 * with it), the item's `caption_words` and `updated_at` renewed on each change, chapters stored and
 * removed, and everything gone with the item.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import type { Database } from '../db/index.js';
import { CaptionRepository } from './captions.js';
import { ItemRepository } from './items.js';
import { captionMoments } from './search-moments.js';
import { UserRepository } from './users.js';

const T = 1_750_000_000_000;

async function setup(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  const items = new ItemRepository(db);
  const item = await items.create({
    ownerId: owner.id,
    title: 'Talk',
    status: 'ready',
    files: [{ path: 'talk.mp4', length: 1000, blobKey: 'files/x/0' }],
  });
  let now = T;
  const captions = new CaptionRepository(db, { now: () => now });
  const itemRow = async () =>
    db
      .selectFrom('items')
      .select(['caption_words', 'updated_at'])
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
  return { db, items, item, captions, itemRow, tick: () => ++now };
}

const caption = (itemId: number, language: string, over = {}) => ({
  itemId,
  language,
  label: language,
  kind: 'captions' as const,
  blobKey: `items/${itemId}/captions/${language}.vtt`,
  bytes: 100,
  ...over,
});

describeOnEachDatabase('captions', (fresh) => {
  test("captions are kept per item and language with their cues' words; a new one replaces it", async () => {
    const { db, item, captions, itemRow, tick } = await setup(await fresh());
    assert.deepEqual(await captions.list(item.id), []);
    await captions.replace(caption(item.id, 'fr'), [
      { start: 0, text: 'Bonjour le Monde' },
      { start: 1500, text: '♪' },
    ]);
    await captions.replace(caption(item.id, 'en', { label: 'English', kind: 'subtitles' }), [
      { start: 200, text: 'Hello world' },
    ]);
    assert.deepEqual(await captions.list(item.id), [
      {
        itemId: item.id,
        language: 'en',
        label: 'English',
        kind: 'subtitles',
        blobKey: `items/${item.id}/captions/en.vtt`,
        cues: 1,
        bytes: 100,
        createdAt: T,
      },
      {
        itemId: item.id,
        language: 'fr',
        label: 'fr',
        kind: 'captions',
        blobKey: `items/${item.id}/captions/fr.vtt`,
        cues: 2,
        bytes: 100,
        createdAt: T,
      },
    ]);
    assert.deepEqual((await itemRow()).caption_words?.split(' ').sort(), [
      'bonjour',
      'hello',
      'le',
      'monde',
      'world',
    ]);
    const moments = await captionMoments(db, [item.id], { words: ['world'], prefix: false });
    assert.equal(moments.get(item.id), 200);

    tick();
    await captions.replace(caption(item.id, 'en', { bytes: 7 }), [{ start: 900, text: 'Goodbye world' }]);
    const en = (await captions.list(item.id)).find((c) => c.language === 'en');
    assert.deepEqual(
      [en?.label, en?.kind, en?.bytes, en?.cues, en?.createdAt],
      ['en', 'captions', 7, 1, T + 1],
    );
    assert.equal((await itemRow()).updated_at, T + 1);
    assert.equal(
      (await captionMoments(db, [item.id], { words: ['world'], prefix: false })).get(item.id),
      900,
    );

    tick();
    await captions.delete(item.id, 'en');
    assert.deepEqual(
      (await captions.list(item.id)).map((c) => c.language),
      ['fr'],
    );
    assert.deepEqual((await itemRow()).caption_words?.split(' ').sort(), ['bonjour', 'le', 'monde']);
    assert.equal((await itemRow()).updated_at, T + 2);
  });

  test('chapters are stored, replaced and removed; rows go with the item', async () => {
    const { item, items, captions, itemRow, tick } = await setup(await fresh());
    assert.equal(await captions.chapters(item.id), null);
    assert.equal(await captions.hasChapters(item.id), false);
    tick();
    await captions.replaceChapters(item.id, { body: '{"version":"1.2.0","chapters":[]}', count: 1 });
    assert.equal(await captions.chapters(item.id), '{"version":"1.2.0","chapters":[]}');
    assert.equal(await captions.hasChapters(item.id), true);
    assert.equal((await itemRow()).updated_at, T + 1);
    tick();
    await captions.replaceChapters(item.id, null);
    assert.equal(await captions.hasChapters(item.id), false);
    assert.equal((await itemRow()).updated_at, T + 2);

    await captions.replace(caption(item.id, 'en'), [{ start: 0, text: 'hello' }]);
    await captions.replaceChapters(item.id, { body: '{}', count: 1 });
    assert.equal(await items.delete(item.id), true);
    assert.deepEqual(await captions.list(item.id), []);
    assert.equal(await captions.hasChapters(item.id), false);
  });
});
