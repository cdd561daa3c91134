/**
 * Storage quotas in the database: an account's own quota (`users.quota_bytes`: null means the
 * site's default, -1 none) and what the account uses. Use counts every item it owns, whatever its
 * status (the bytes stay stored until the item is deleted), torrent-only items at their declared
 * size (the site archives them), and its tus uploads not yet published at their declared length (a
 * reservation: the bytes are on their way) or, while the length is deferred, the bytes received.
 */

import type { Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';

/** An account's quota setting: `default` (the site's), `none`, or a number of bytes. */
export type QuotaSetting = 'default' | 'none' | number;

export class QuotaRepository {
  constructor(private readonly db: Database) {}

  async quotaOf(userId: number): Promise<QuotaSetting> {
    const row = await this.db
      .selectFrom('users')
      .select('quota_bytes')
      .where('id', '=', userId)
      .executeTakeFirst();
    if (row?.quota_bytes === null || row?.quota_bytes === undefined) return 'default';
    const n = Number(row.quota_bytes);
    return n < 0 ? 'none' : n;
  }

  async setQuota(userId: number, quota: QuotaSetting): Promise<void> {
    if (typeof quota === 'number' && (!Number.isSafeInteger(quota) || quota < 0))
      throw new SeedcastError('USER_INVALID', 'quota: a whole number of bytes, "none" or "default"');
    const value = quota === 'default' ? null : quota === 'none' ? -1 : quota;
    await this.db.updateTable('users').set({ quota_bytes: value }).where('id', '=', userId).execute();
  }

  /** Bytes the account's items and unpublished uploads take (see the module comment). */
  async used(userId: number, options: { exceptUpload?: string } = {}): Promise<number> {
    const items = await this.db
      .selectFrom('items')
      .select((eb) => eb.fn.sum<number | string | null>('total_length').as('bytes'))
      .where('owner_id', '=', userId)
      .executeTakeFirst();
    let uploads = this.db
      .selectFrom('uploads')
      .select(['length', 'upload_offset'])
      .where('user_id', '=', userId);
    if (options.exceptUpload) uploads = uploads.where('id', '!=', options.exceptUpload);
    const rows = await uploads.execute();
    const reserved = rows.reduce((sum, r) => sum + Number(r.length ?? r.upload_offset), 0);
    return Number(items?.bytes ?? 0) + reserved;
  }

  /** Bytes every unfinished tus upload may still write (declared length minus what arrived). */
  async pendingUploadBytes(): Promise<number> {
    const row = await this.db
      .selectFrom('uploads')
      .select((eb) =>
        eb.fn.sum<number | string | null>(eb('length', '-', eb.ref('upload_offset'))).as('bytes'),
      )
      .where('completed_at', 'is', null)
      .where('length', 'is not', null)
      .executeTakeFirst();
    return Math.max(0, Number(row?.bytes ?? 0));
  }
}
