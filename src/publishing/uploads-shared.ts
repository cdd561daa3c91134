/**
 * tus uploads (tus 1.0) shared by several site nodes (issue 22, docs/scale-out.md): the bytes each
 * PATCH brings are stored as one part in the shared blob store (`uploads/<id>/<start>-<nonce>`) and
 * recorded in the `upload_parts` table (migration 0022) before the upload's offset moves, so that
 * any node can resume the upload where another left it.
 *
 * The parts are the truth; a node's own file of the upload (`Uploads`' `<root>/<id>`) is a cache of
 * their bytes, filled in (`hydrate`) when the node is behind: a client that sent the first half
 * through node A and the rest through node B has B fetch A's parts first. Two nodes may both take
 * a PATCH at the same offset (a client retrying through the other node); the primary key on
 * `(upload_id, part_start)` lets exactly one commit, and the other hears UPLOAD_OFFSET (tus: 409)
 * after removing its part, as the client would from a single node.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import { constraintKind, type Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { type BlobStore, blobKey } from '../storage/index.js';

/** One stored part of an upload: bytes `[start, end)` at `key`. */
export interface UploadPart {
  start: number;
  end: number;
  key: string;
}

export class SharedUploadParts {
  constructor(
    private readonly db: Database,
    private readonly blobs: BlobStore,
  ) {}

  /** The upload's parts in order of their start (each part starts where the one before ends). */
  async parts(id: string): Promise<UploadPart[]> {
    const { rows } = await sql<{ part_start: number | string; part_end: number | string; blob_key: string }>`
      select part_start, part_end, blob_key from upload_parts where upload_id = ${id} order by part_start
    `.execute(this.db);
    const parts: UploadPart[] = [];
    for (const r of rows) {
      const part = { start: Number(r.part_start), end: Number(r.part_end), key: r.blob_key };
      if (part.start !== (parts[parts.length - 1]?.end ?? 0)) break; // only the contiguous run counts
      parts.push(part);
    }
    return parts;
  }

  /**
   * Stores bytes `[start, end)` of the node's file at `path` as the part after `start`. Throws
   * UPLOAD_OFFSET when another node committed a part from `start` first (its own part removed).
   */
  async commit(id: string, path: string, start: number, end: number): Promise<void> {
    if (end <= start) return;
    const key = blobKey('uploads', id, `${start}-${randomBytes(6).toString('hex')}`);
    await this.blobs.put(key, createReadStream(path, { start, end: end - 1 }), { size: end - start });
    try {
      await sql`
        insert into upload_parts (upload_id, part_start, part_end, blob_key, created_at)
        values (${id}, ${start}, ${end}, ${key}, ${Date.now()})
      `.execute(this.db);
    } catch (err) {
      await this.blobs.delete(key).catch(() => undefined);
      if (constraintKind(err) === 'unique')
        throw new SeedcastError('UPLOAD_OFFSET', `another request continued the upload from ${start}`);
      throw err;
    }
  }

  /**
   * Makes the node's file at `path` hold exactly the parts' bytes (truncating what goes past them,
   * fetching the parts it lacks); resolves to their length. A file that is not there is created.
   */
  async hydrate(id: string, path: string): Promise<number> {
    const parts = await this.parts(id);
    const end = parts[parts.length - 1]?.end ?? 0;
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === end) return end;
    // Keep the whole parts the file already holds; fetch the rest.
    const kept =
      size === undefined ? 0 : Math.max(0, ...parts.filter((p) => p.end <= size).map((p) => p.end));
    if (size === undefined) await mkdir(dirname(path), { recursive: true });
    const file = await open(path, size === undefined ? 'w' : 'r+');
    try {
      await file.truncate(kept);
      for (const part of parts.filter((p) => p.start >= kept)) {
        let position = part.start;
        for await (const chunk of await this.blobs.get(part.key)) {
          await writeAll(file, chunk as Uint8Array, position);
          position += (chunk as Uint8Array).length;
        }
        if (position !== part.end)
          throw new SeedcastError(
            'STORAGE_INTEGRITY',
            `upload part ${part.key}: ${position - part.start} bytes, not ${part.end - part.start}`,
          );
      }
      await file.sync();
    } catch (err) {
      await truncate(path, kept).catch(() => undefined);
      throw err;
    } finally {
      await file.close();
    }
    return end;
  }

  /** Removes the upload's parts (termination, expiry, publication). */
  async remove(id: string): Promise<void> {
    const { rows } = await sql<{ blob_key: string }>`
      select blob_key from upload_parts where upload_id = ${id}
    `.execute(this.db);
    for (const r of rows) await this.blobs.delete(r.blob_key);
    await sql`delete from upload_parts where upload_id = ${id}`.execute(this.db);
  }
}

/** Writes all of `data` at `position` of an open file. */
export async function writeAll(
  file: Awaited<ReturnType<typeof open>>,
  data: Uint8Array,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
