/**
 * Viewers' choice of browser P2P in the database (issue 17; PeerTube #2934: playing through the swarm
 * shows a viewer's IP address to other viewers): the site's default, set by an admin
 * (`site_settings`, name `p2p.default`, JSON `"on"` or `"off"`; `on` until an admin says otherwise),
 * and an account's own choice (`users.p2p`: null means the site's default). The page and the
 * player resolve them with `resolveP2p` (`?p2p=0`, then the account, then the site).
 */

import type { Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';

export type P2pChoice = 'on' | 'off';
/** An account's setting: the site's default, or its own choice. */
export type P2pSetting = 'default' | P2pChoice;

const DEFAULT_NAME = 'p2p.default';
/** How long a read of the site's default is reused (pages read it on every item view). */
const CACHE_MS = 10_000;

/** Stores one site setting as JSON (insert or replace); `site-settings.ts` writes through it too. */
export async function writeSetting(db: Database, name: string, value: unknown, now: number): Promise<void> {
  const row = { name, value: JSON.stringify(value), updated_at: now };
  await db
    .insertInto('site_settings')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

/** Every stored site setting, parsed (a row that is not JSON reads as absent). */
export async function readSettings(db: Database): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom('site_settings').select(['name', 'value']).execute();
  const out = new Map<string, unknown>();
  for (const r of rows) {
    try {
      out.set(r.name, JSON.parse(r.value) as unknown);
    } catch {
      // a damaged value: the default applies
    }
  }
  return out;
}

export class SettingsRepository {
  /** The site's default as last read, and when (other site processes on the database may change it). */
  private cached: { value: P2pChoice; at: number } | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number; initialP2p?: P2pChoice } = {},
  ) {}

  /** The site's default for viewers who did not choose. */
  async p2pDefault(): Promise<P2pChoice> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return this.cached.value;
    const row = await this.db
      .selectFrom('site_settings')
      .select('value')
      .where('name', '=', DEFAULT_NAME)
      .executeTakeFirst();
    const value = row ? (JSON.parse(row.value) as unknown) : undefined;
    const choice = value === 'on' || value === 'off' ? value : (this.options.initialP2p ?? 'on');
    this.cached = { value: choice, at: this.now() };
    return choice;
  }

  async setP2pDefault(choice: P2pChoice): Promise<void> {
    if (choice !== 'on' && choice !== 'off') throw new SeedcastError('USAGE', 'p2p: on or off');
    await writeSetting(this.db, DEFAULT_NAME, choice, this.now());
    this.cached = { value: choice, at: this.now() };
  }

  /** An account's own setting (`default` when it never chose, or the account is unknown). */
  async p2pOf(userId: number): Promise<P2pSetting> {
    const row = await this.db.selectFrom('users').select('p2p').where('id', '=', userId).executeTakeFirst();
    return row?.p2p === 'on' || row?.p2p === 'off' ? row.p2p : 'default';
  }

  async setP2p(userId: number, setting: P2pSetting): Promise<void> {
    if (setting !== 'default' && setting !== 'on' && setting !== 'off')
      throw new SeedcastError('USER_INVALID', 'p2p: default, on or off');
    await this.db
      .updateTable('users')
      .set({ p2p: setting === 'default' ? null : setting })
      .where('id', '=', userId)
      .execute();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** How a page plays an item: `?p2p=0` forces off; else the account's choice; else the site's. */
export function resolveP2p(input: {
  query?: string | undefined;
  account?: P2pSetting | undefined;
  site: P2pChoice;
}): { p2p: P2pChoice; forced: boolean } {
  if (input.query === '0' || input.query === 'off') return { p2p: 'off', forced: true };
  if (input.account === 'on' || input.account === 'off') return { p2p: input.account, forced: false };
  return { p2p: input.site, forced: false };
}
