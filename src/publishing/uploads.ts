/**
 * Resumable uploads (tus 1.0: core, creation, termination, expiration, checksum), transport-free.
 *
 * Each upload's bytes are one file `<root>/<id>` (the data folder's `uploads/`, which survives a
 * restart; `tmp/uploads` does not), its bookkeeping a row of `UploadRepository`. A PATCH streams its
 * body straight to the file at the upload's offset; whatever happens to the request (done, client
 * gone, body too long) the bytes written are flushed (`fsync`) and only then is the offset recorded,
 * so a client that disconnects mid-body resumes from what arrived.
 *
 * Crash safety: the file is the truth. After a `kill -9` mid-PATCH the file may be longer than the
 * recorded offset; every read of an upload reconciles the row with the file's size first. A PATCH
 * with `Upload-Checksum` first writes a marker `<id>.verify` holding its starting offset; bytes are
 * kept only when the checksum matches, and a marker found at reconciliation (a crash mid-chunk) cuts
 * the file back to where the unverified chunk began.
 *
 * One request at a time per upload: others wait for it (a HEAD right after a client gave up on a
 * PATCH sees the offset once the server has noticed), then fail with UPLOAD_BUSY. Unfinished uploads
 * expire `ttlMs` after their last write (`Upload-Expires`); finished ones that are never published
 * expire `ttlMs` after they finished. `sweep()` removes expired uploads and files left without a row.
 *
 * With several site nodes (`shared`, issue 22) each PATCH's bytes are also committed as a part in
 * the shared blob store before the offset moves; the parts, not the file, are then the truth, and
 * a node whose file is behind fetches the parts it lacks (`uploads-shared.ts`).
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Upload, UploadRepository, User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';
import { asDiskFull, type StorageGuard } from './quota.js';
import type { ChecksumAlgorithm } from './uploads-headers.js';
import { type SharedUploadParts, writeAll } from './uploads-shared.js';

// The tus headers' parsers, here too for the modules that import them from `uploads.ts`.
export {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  parseUploadChecksum,
  parseUploadMetadata,
} from './uploads-headers.js';

export interface UploadsOptions {
  repository: UploadRepository;
  /** Folder of upload files (inside the data folder). */
  root: string;
  /** How long an upload lives after its last write (default 24 h). */
  ttlMs?: number;
  /** How long a request waits for another one on the same upload (default 10 s). */
  lockWaitMs?: number;
  now?: () => number;
  /** Quotas and the free-space guard: a creation (and each PATCH) must fit both. */
  guard?: StorageGuard;
  /** Several site nodes (issue 22): the bytes are kept as parts in the shared store too (`uploads-shared.ts`). */
  shared?: SharedUploadParts;
}

export interface CreateUploadInput {
  /** Total length, or null to declare it later (`Upload-Defer-Length: 1`). */
  length: number | null;
  metadata: Record<string, string>;
  /** The site's upload limit in bytes. */
  maxBytes: number;
  /** The account, for its quota (checked when the site has a `guard`). */
  owner?: User;
}

export interface AppendInput {
  /** The client's `Upload-Offset`. */
  offset: number;
  /** `Upload-Length` sent with a PATCH to fix a deferred length. */
  length?: number;
  /** The request's Content-Length, when known (refused early when it cannot fit). */
  contentLength?: number;
  body: AsyncIterable<Uint8Array>;
  checksum?: { algorithm: ChecksumAlgorithm; digest: Buffer };
  maxBytes: number;
  /** The account, for its quota (checked when the site has a `guard`). */
  owner?: User;
}

const ID = /^[0-9a-f]{32}$/;
const ORPHAN_AGE_MS = 3_600_000;

export class Uploads {
  private readonly repo: UploadRepository;
  private readonly ttlMs: number;
  private readonly lockWaitMs: number;
  private readonly busy = new Map<string, Promise<void>>();

  constructor(private readonly options: UploadsOptions) {
    this.repo = options.repository;
    this.ttlMs = options.ttlMs ?? 24 * 3_600_000;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Where the bytes of upload `id` are kept. */
  path(id: string): string {
    if (!ID.test(id)) throw new SeedcastError('NOT_FOUND', 'no such upload');
    return join(this.options.root, id);
  }

  private marker(id: string): string {
    return `${this.path(id)}.verify`;
  }

  async create(ownerId: number, input: CreateUploadInput): Promise<Upload> {
    if (input.length !== null) checkLength(input.length, input.maxBytes);
    // The declared length is a reservation: it counts against the quota and the disk from now on.
    const guard = this.options.guard;
    await guard?.checkUploadSize(input.length ?? 0);
    if (guard && input.owner) await guard.checkQuota(input.owner, input.length ?? 0);
    if (guard) await guard.checkDisk(input.length ?? 0, 'this upload');
    const id = randomBytes(16).toString('hex');
    await mkdir(this.options.root, { recursive: true });
    await writeFile(this.path(id), new Uint8Array(0), { flag: 'wx' });
    const now = this.now();
    try {
      return await this.repo.create({
        id,
        userId: ownerId,
        length: input.length,
        metadata: input.metadata,
        createdAt: now,
        expiresAt: now + this.ttlMs,
      });
    } catch (err) {
      await rm(this.path(id), { force: true });
      throw err;
    }
  }

  /** The upload as durably received (reconciled with its file); NOT_FOUND for others' uploads. */
  async status(ownerId: number, id: string): Promise<Upload> {
    return this.locked(id, () => this.current(ownerId, id));
  }

  /** Appends a PATCH body at `offset`; returns the upload with its new offset. */
  async append(ownerId: number, id: string, input: AppendInput): Promise<Upload> {
    return this.locked(id, async () => {
      const upload = await this.current(ownerId, id);
      if (input.offset !== upload.offset) {
        throw new SeedcastError('UPLOAD_OFFSET', `the upload is at ${upload.offset}, not ${input.offset}`);
      }
      if (input.length !== undefined) {
        if (upload.length === null) {
          checkLength(input.length, input.maxBytes);
          if (this.options.guard && input.owner)
            await this.options.guard.checkQuota(input.owner, input.length, { exceptUpload: id });
          await this.options.guard?.checkDisk(input.length - upload.offset, 'this upload');
          if (input.length < upload.offset)
            throw new SeedcastError('UPLOAD_INVALID', 'Upload-Length: less than the bytes received');
          await this.repo.update(id, { length: input.length });
          upload.length = input.length;
        } else if (input.length !== upload.length) {
          throw new SeedcastError('UPLOAD_INVALID', 'Upload-Length: cannot change once set');
        }
      }
      await this.checkRoom(upload, input);
      const limit = upload.length ?? input.maxBytes;
      if (input.contentLength !== undefined && upload.offset + input.contentLength > limit) {
        throw tooLarge(upload.length, input.maxBytes);
      }
      const path = this.path(id);
      if (input.checksum) await writeFile(this.marker(id), String(upload.offset));
      const hash = input.checksum ? createHash(input.checksum.algorithm) : undefined;
      const file = await open(path, 'r+');
      let position = upload.offset;
      let failure: unknown;
      try {
        for await (const chunk of input.body) {
          const room = limit - position;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          await writeAll(file, part, position);
          hash?.update(part);
          position += part.length;
          if (part.length < chunk.length) {
            failure = tooLarge(upload.length, input.maxBytes);
            break;
          }
        }
      } catch (err) {
        failure = err; // the client went away or the body failed: keep what arrived
      } finally {
        await file.sync().catch(() => undefined);
        await file.close();
      }
      if (input.checksum) {
        if (failure === undefined && !hash!.digest().equals(input.checksum.digest)) {
          failure = new SeedcastError('UPLOAD_CHECKSUM');
        }
        if (failure !== undefined) {
          // an unverified chunk is never kept
          await truncate(path, upload.offset);
          position = upload.offset;
        }
        await rm(this.marker(id), { force: true });
      }
      if (this.options.shared && position > upload.offset) {
        try {
          await this.options.shared.commit(id, path, upload.offset, position);
        } catch (err) {
          await truncate(path, upload.offset).catch(() => undefined); // this node's copy stays a prefix
          throw err;
        }
      }
      const now = this.now();
      const done = upload.length !== null && position === upload.length;
      await this.repo.update(id, {
        offset: position,
        expiresAt: now + this.ttlMs,
        completedAt: done ? (upload.completedAt ?? now) : null,
      });
      if (failure !== undefined) throw asDiskFull(failure);
      return {
        ...upload,
        offset: position,
        expiresAt: now + this.ttlMs,
        completedAt: done ? (upload.completedAt ?? now) : null,
      };
    });
  }

  /**
   * Before a PATCH writes: the free-space guard (bytes of a declared length are already promised)
   * and, while the length is deferred, the quota for what this request would bring.
   */
  private async checkRoom(upload: Upload, input: AppendInput): Promise<void> {
    const guard = this.options.guard;
    if (!guard) return;
    const pending = upload.length === null ? (input.contentLength ?? 0) : 0;
    if (upload.length === null && input.owner && input.contentLength !== undefined)
      await guard.checkQuota(input.owner, upload.offset + input.contentLength, { exceptUpload: upload.id });
    await guard.checkDisk(pending, 'this upload');
  }

  /** Removes an upload (tus termination). */
  async terminate(ownerId: number, id: string): Promise<void> {
    await this.locked(id, async () => {
      await this.current(ownerId, id);
      await this.remove(id);
    });
  }

  /**
   * Runs `use` on a finished upload of `ownerId` (its file path and facts) with the upload locked;
   * when `use` succeeds the upload is consumed (file and row removed), when it fails it stays.
   */
  async consume<T>(
    ownerId: number,
    id: string,
    use: (upload: Upload, path: string) => Promise<T>,
  ): Promise<T> {
    if (!ID.test(id)) throw new SeedcastError('ITEM_INVALID', 'upload: not an upload id');
    return this.locked(id, async () => {
      let upload: Upload;
      try {
        upload = await this.current(ownerId, id);
      } catch (err) {
        if (err instanceof SeedcastError && (err.code === 'NOT_FOUND' || err.code === 'UPLOAD_GONE'))
          throw new SeedcastError('ITEM_INVALID', `upload: you have no upload "${id}"`);
        throw err;
      }
      if (upload.length === null || upload.offset !== upload.length) {
        throw new SeedcastError(
          'ITEM_INVALID',
          `upload: not finished (${upload.offset} of ${upload.length ?? 'an undeclared number of'} bytes)`,
        );
      }
      const result = await use(upload, this.path(id));
      await this.remove(id);
      return result;
    });
  }

  /** Removes expired uploads, and upload files older than an hour that have no row. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const id of await this.repo.expired(this.now())) {
      if (this.busy.has(id)) continue;
      await this.remove(id);
      removed++;
    }
    let names: string[] = [];
    try {
      names = await readdir(this.options.root);
    } catch {
      return removed;
    }
    for (const name of names) {
      const id = name.replace(/\.verify$/, '');
      if (!ID.test(id) || this.busy.has(id)) continue;
      const info = await stat(join(this.options.root, name)).catch(() => undefined);
      if (!info || this.now() - info.mtimeMs < ORPHAN_AGE_MS) continue;
      if (await this.repo.exists(id)) continue;
      await rm(join(this.options.root, name), { force: true });
      if (name === id) removed++;
    }
    return removed;
  }

  private async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
    await rm(this.marker(id), { force: true });
    await this.options.shared?.remove(id);
    await this.repo.delete(id);
  }

  /** The owner's upload, expired ones removed, the row reconciled with the file. Call under the lock. */
  private async current(ownerId: number, id: string): Promise<Upload> {
    if (!ID.test(id)) throw new SeedcastError('NOT_FOUND', 'no such upload');
    const upload = await this.repo.owned(id, ownerId);
    if (!upload) throw new SeedcastError('NOT_FOUND', 'no such upload');
    if (upload.expiresAt !== null && upload.expiresAt < this.now()) {
      await this.remove(id);
      throw new SeedcastError('UPLOAD_GONE');
    }
    return this.reconcile(upload);
  }

  /** Makes the row agree with the bytes durably in the file (after a crash, the file wins). */
  private async reconcile(upload: Upload): Promise<Upload> {
    const size = this.options.shared
      ? await this.options.shared.hydrate(upload.id, this.path(upload.id))
      : await this.fileSize(upload);
    if (size === upload.offset) return upload;
    const done = upload.length !== null && size === upload.length;
    const completedAt = done ? (upload.completedAt ?? this.now()) : null;
    await this.repo.update(upload.id, { offset: size, completedAt });
    return { ...upload, offset: size, completedAt };
  }

  /** The bytes durably in the upload's file, after undoing an unverified chunk a crash left. */
  private async fileSize(upload: Upload): Promise<number> {
    const path = this.path(upload.id);
    const marker = await readFile(this.marker(upload.id), 'utf8').catch(() => undefined);
    if (marker !== undefined) {
      const start = Number(marker);
      if (Number.isSafeInteger(start) && start >= 0) await truncate(path, start).catch(() => undefined);
      await rm(this.marker(upload.id), { force: true });
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      await this.repo.delete(upload.id);
      throw new SeedcastError('NOT_FOUND', 'no such upload');
    }
    let size = info.size;
    if (upload.length !== null && size > upload.length) {
      await truncate(path, upload.length);
      size = upload.length;
    }
    return size;
  }

  /** Runs `fn` once no other request holds upload `id`; waits at most `lockWaitMs`. */
  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.lockWaitMs;
    for (let held = this.busy.get(id); held; held = this.busy.get(id)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new SeedcastError('UPLOAD_BUSY');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([held, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.busy.set(id, mine);
    try {
      return await fn();
    } finally {
      this.busy.delete(id);
      release();
    }
  }
}

function checkLength(length: number, maxBytes: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SeedcastError('UPLOAD_INVALID', 'Upload-Length: a whole number of bytes');
  }
  if (length > maxBytes) throw tooLarge(length, maxBytes);
}

function tooLarge(length: number | null, maxBytes: number): SeedcastError {
  return new SeedcastError(
    'HTTP_TOO_LARGE',
    length === null || length > maxBytes
      ? `uploads are limited to ${maxBytes} bytes`
      : `the body goes past the upload's length of ${length} bytes`,
  );
}
