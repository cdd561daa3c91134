/**
 * Resumable uploads (tus 1.0) in the database: one row per upload with its owner, declared length
 * (null while deferred), the offset durably received, the decoded `Upload-Metadata`, and its times.
 * The bytes themselves live in a file the site's `Uploads` service manages; this repository only
 * keeps the bookkeeping. Owner checks are part of every read: another user's upload is not found.
 */

import type { Selectable, Updateable } from 'kysely';
import type { Database, UploadsTable } from '../db/index.js';

export interface Upload {
  id: string;
  userId: number;
  /** Declared total length; null while deferred. */
  length: number | null;
  offset: number;
  metadata: Record<string, string>;
  createdAt: number;
  /** When an unfinished (or finished but unused) upload is removed. */
  expiresAt: number | null;
  completedAt: number | null;
}

export interface NewUpload {
  id: string;
  userId: number;
  length: number | null;
  metadata: Record<string, string>;
  createdAt: number;
  expiresAt: number | null;
}

function toUpload(row: Selectable<UploadsTable>): Upload {
  let metadata: Record<string, string> = {};
  try {
    const parsed = JSON.parse(row.metadata) as unknown;
    if (parsed && typeof parsed === 'object') metadata = parsed as Record<string, string>;
  } catch {
    // a broken column reads as no metadata
  }
  return {
    id: row.id,
    userId: Number(row.user_id),
    length: row.length === null ? null : Number(row.length),
    offset: Number(row.upload_offset),
    metadata,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
  };
}

export class UploadRepository {
  constructor(private readonly db: Database) {}

  async create(input: NewUpload): Promise<Upload> {
    await this.db
      .insertInto('uploads')
      .values({
        id: input.id,
        user_id: input.userId,
        length: input.length,
        metadata: JSON.stringify(input.metadata),
        created_at: input.createdAt,
        expires_at: input.expiresAt,
      })
      .execute();
    return (await this.get(input.id))!;
  }

  /** The upload, whoever owns it (for the service's own bookkeeping). */
  async get(id: string): Promise<Upload | undefined> {
    const row = await this.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUpload(row) : undefined;
  }

  /** The upload when `userId` owns it. */
  async owned(id: string, userId: number): Promise<Upload | undefined> {
    const row = await this.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toUpload(row) : undefined;
  }

  async update(
    id: string,
    change: { offset?: number; length?: number; expiresAt?: number | null; completedAt?: number | null },
  ): Promise<void> {
    const values: Updateable<UploadsTable> = {};
    if (change.offset !== undefined) values.upload_offset = change.offset;
    if (change.length !== undefined) values.length = change.length;
    if (change.expiresAt !== undefined) values.expires_at = change.expiresAt;
    if (change.completedAt !== undefined) values.completed_at = change.completedAt;
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('uploads').set(values).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  /** Ids of uploads whose expiry time is before `now`. */
  async expired(now: number, limit = 500): Promise<string[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .select('id')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<', now)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Whether a row exists for `id` (for sweeping files left without one). */
  async exists(id: string): Promise<boolean> {
    return (await this.get(id)) !== undefined;
  }
}
