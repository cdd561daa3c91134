/**
 * The traffic counters and the viewers' P2P settings on both databases: counts add up per channel and
 * survive a reopen of the store, concurrent adds lose nothing, an unknown item is ignored, the
 * counters go with their item; the site's P2P default and an account's choice are kept.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { ItemRepository, SettingsRepository, UserRepository } from '../catalog/index.js';
import type { Database } from '../db/index.js';
import { SqlTrafficStore } from './traffic-store.js';

async function anItem(db: Database) {
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owner = await users.register({ username: 'publisher', password: 'password1' });
  const items = new ItemRepository(db);
  const item = await items.create({
    ownerId: owner.id,
    title: 'Counted',
    files: [{ path: 'a.webm', length: 10, blobKey: 'k' }],
  });
  return { items, item, owner };
}

describeOnEachDatabase('traffic store', (fresh) => {
  test('counts add up per channel, beyond 32 bits, and a second store on the database reads them', async () => {
    const db = await fresh();
    const { item } = await anItem(db);
    const store = new SqlTrafficStore(db);
    assert.deepEqual(await store.get(item.id), {
      httpPlayer: 0,
      httpDownload: 0,
      webSeed: 0,
      tcp: 0,
      webrtc: 0,
      browserPeers: 0,
    });
    await store.add(item.id, { httpPlayer: 5_000_000_000, tcp: 7 });
    await store.add(item.id, { httpPlayer: 1, webSeed: 3, webrtc: 4, browserPeers: 9, httpDownload: 2 });
    await store.add(item.id, {});
    assert.deepEqual(await new SqlTrafficStore(db).get(item.id), {
      httpPlayer: 5_000_000_001,
      httpDownload: 2,
      webSeed: 3,
      tcp: 7,
      webrtc: 4,
      browserPeers: 9,
    });
  });

  test('concurrent adds lose nothing; an unknown item is ignored; counters go with their item', async () => {
    const db = await fresh();
    const { items, item } = await anItem(db);
    const store = new SqlTrafficStore(db);
    await Promise.all(Array.from({ length: 20 }, () => store.add(item.id, { webSeed: 10 })));
    assert.equal((await store.get(item.id)).webSeed, 200);
    await store.add(item.id + 999, { tcp: 1 });
    assert.equal((await store.get(item.id + 999)).tcp, 0);
    await items.delete(item.id);
    const left = await db.selectFrom('item_traffic').selectAll().execute();
    assert.equal(left.length, 0);
  });

  test('the site default is on until an admin sets it; an account keeps its own choice or the default', async () => {
    const db = await fresh();
    const { owner } = await anItem(db);
    const settings = new SettingsRepository(db);
    assert.equal(await settings.p2pDefault(), 'on');
    await settings.setP2pDefault('off');
    assert.equal(await new SettingsRepository(db).p2pDefault(), 'off');
    await settings.setP2pDefault('on');
    assert.equal(await new SettingsRepository(db).p2pDefault(), 'on');
    assert.equal(await settings.p2pOf(owner.id), 'default');
    await settings.setP2p(owner.id, 'off');
    assert.equal(await settings.p2pOf(owner.id), 'off');
    await settings.setP2p(owner.id, 'default');
    assert.equal(await settings.p2pOf(owner.id), 'default');
    await assert.rejects(settings.setP2p(owner.id, 'maybe' as never));
  });
});
