/**
 * SiteSettings and SiteAccounts on both databases: defaults, changes (validation naming the field,
 * nothing written when any field is bad), the short cache, the quota and upload overrides falling
 * back to the configuration, the P2P default kept by SettingsRepository in the same table; the first
 * account passing any registration mode; invites single use; the last admin kept.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/helpers/postgres.js';
import { isSeedcastError } from '../errors.js';
import { SettingsRepository } from './settings.js';
import { SiteAccounts } from './site-accounts.js';
import { DEFAULT_PROFILE, SiteSettings } from './site-settings.js';
import { UserRepository } from './users.js';

describeOnEachDatabase('site settings', (fresh) => {
  async function setup() {
    const db = await fresh();
    let clock = 1_000_000;
    const now = () => clock;
    const p2p = new SettingsRepository(db, { now });
    const config = { userQuota: 100, maxUploadBytes: 1000 };
    const settings = new SiteSettings(db, { now, config, p2p });
    const users = new UserRepository(db, { scrypt: { N: 1024 } });
    const accounts = new SiteAccounts(db, { users, settings, now });
    return { db, settings, p2p, users, accounts, tick: (ms: number) => (clock += ms), config, now };
  }

  test('defaults, a change, validation naming the field and writing nothing', async () => {
    const { settings } = await setup();
    assert.deepEqual(await settings.profile(), DEFAULT_PROFILE);
    const all = await settings.all();
    assert.equal(all.userQuotaBytes, 100);
    assert.equal(all.maxUploadBytes, 1000);
    assert.equal(all.p2pDefault, 'on');
    const p = await settings.setProfile({ name: '  Radio  ', registration: 'approval', defaultLicense: '' });
    assert.equal(p.name, 'Radio');
    assert.equal(p.registration, 'approval');
    assert.equal(p.defaultLicense, null);
    await assert.rejects(
      settings.update({ name: 'Fine', contact: 'nope' }),
      (err: unknown) => isSeedcastError(err, 'SETTINGS_INVALID') && /contact:/.test(String(err)),
    );
    assert.equal((await settings.profile()).name, 'Radio', 'nothing written when a field is bad');
    await assert.rejects(settings.update({ maxUploadBytes: 2000 }), /maxUploadBytes:/);
  });

  test('quota and upload overrides fall back to the configuration; P2P default in the same table', async () => {
    const { settings, p2p, db, tick } = await setup();
    await settings.update({ userQuotaBytes: null, maxUploadBytes: 500, p2pDefault: 'off' });
    assert.equal(await settings.defaultQuota(), null);
    assert.equal(await settings.maxUploadBytes(), 500);
    assert.equal(await p2p.p2pDefault(), 'off');
    await settings.update({ userQuotaBytes: 'config', maxUploadBytes: 'config' });
    assert.equal(await settings.defaultQuota(), 100);
    assert.equal(await settings.maxUploadBytes(), 1000);
    // Another process changes a row: seen once the cache (10 s) expires.
    await db
      .updateTable('site_settings')
      .set({ value: JSON.stringify('Elsewhere') })
      .where('name', '=', 'site.name')
      .execute();
    await settings.update({ name: 'Here' });
    await db
      .updateTable('site_settings')
      .set({ value: JSON.stringify('There') })
      .where('name', '=', 'site.name')
      .execute();
    assert.equal((await settings.profile()).name, 'Here', 'cached');
    tick(10_001);
    assert.equal((await settings.profile()).name, 'There', 'read again after the cache');
  });

  test('registration: the first account passes a closed site; invites are single use; the last admin stays', async () => {
    const { settings, accounts } = await setup();
    await settings.update({ registration: 'closed' });
    assert.equal(await accounts.anyAccount(), false);
    const root = await accounts.register({ username: 'root', password: 'password1' });
    assert.equal(root.role, 'admin');
    assert.equal(await accounts.anyAccount(), true);
    await assert.rejects(accounts.register({ username: 'bob', password: 'password1' }), /closed/);
    await settings.update({ registration: 'invite' });
    const { code } = await accounts.createInvite(root);
    const bob = await accounts.register({ username: 'bob', password: 'password1', invite: code });
    assert.equal(bob.role, 'user');
    await assert.rejects(
      accounts.register({ username: 'eve', password: 'password1', invite: code }),
      /invite/,
    );
    assert.equal((await accounts.invites())[0]?.usedBy, 'bob');
    await assert.rejects(accounts.update(root, 'root', { role: 'user' }), /only admin/);
    await assert.rejects(accounts.update(bob, 'bob', { role: 'admin' }), /admins only/);
    const row = await accounts.update(root, 'bob', { role: 'moderator', quotaBytes: 42 });
    assert.deepEqual([row?.role, row?.quota], ['moderator', 42]);
    const page = await accounts.list({ q: 'B' });
    assert.deepEqual(
      page.users.map((u) => u.username),
      ['bob'],
    );
  });
});
