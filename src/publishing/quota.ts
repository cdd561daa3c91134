/**
 * What one account may store, and what the disk can take (issue 15, finding 7), transport-free.
 *
 * - **Quota**: each account has a storage quota (its own, set by an admin, or the site's default;
 *   admins have none unless one is set). Use is counted by `QuotaRepository` (items at their size,
 *   torrent-only ones at their declared size, tus uploads not yet published at their declared
 *   length). Going over it is QUOTA_EXCEEDED (413).
 * - **Free space**: before a new upload, a tus creation or an archive starts, `statfs` on the data
 *   folder says how much the disk has left; bytes already promised (unfinished tus uploads, archives
 *   in progress) are taken off, and when the write would leave less than the reserve
 *   (`minFreeBytes`, or `minFreeRatio` of the disk) it is refused with DISK_FULL (507) instead of
 *   filling the disk for everyone.
 */

import { statfs } from 'node:fs/promises';
import type { QuotaRepository, QuotaSetting, User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';

export interface StorageGuardOptions {
  quotas: QuotaRepository;
  /** The folder whose disk is watched (the data folder). */
  dataRoot: string;
  /** Quota of an account without its own, in bytes; null: none. */
  defaultQuota: number | null;
  /** Free bytes to keep. */
  minFreeBytes: number;
  /** Share of the disk to keep free (0..1), when larger than `minFreeBytes`. */
  minFreeRatio?: number;
  /** The default quota as the site's settings say now (issue 19), over `defaultQuota`. */
  defaultQuotaOf?: () => Promise<number | null>;
  /** The largest upload as the site's settings say now (issue 19); none: only the server's cap. */
  maxUploadOf?: () => Promise<number>;
}

export interface DiskSpace {
  /** Bytes the site's user may still write on the data folder's disk. */
  free: number;
  /** Bytes kept free. */
  reserve: number;
  /** Bytes promised to unfinished uploads and archives. */
  promised: number;
}

/** Shown in messages: 1.5 GiB. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[u]}`;
}

export class StorageGuard {
  private readonly promisers: (() => number)[] = [];

  constructor(private readonly options: StorageGuardOptions) {}

  /** Adds a source of bytes promised but not yet written (e.g. archives in progress). */
  addPromised(source: () => number): void {
    this.promisers.push(source);
  }

  /** The account's effective quota in bytes; null: none. */
  async quotaOf(user: User): Promise<number | null> {
    const own: QuotaSetting = await this.options.quotas.quotaOf(user.id);
    if (own === 'none') return null;
    if (typeof own === 'number') return own;
    if (user.role === 'admin') return null;
    return this.options.defaultQuotaOf ? this.options.defaultQuotaOf() : this.options.defaultQuota;
  }

  /** Throws HTTP_TOO_LARGE when an upload of `bytes` is larger than the site's settings allow. */
  async checkUploadSize(bytes: number): Promise<void> {
    const max = await this.options.maxUploadOf?.();
    if (max !== undefined && bytes > max)
      throw new SeedcastError('HTTP_TOO_LARGE', `uploads on this site are at most ${formatSize(max)}`);
  }

  /** Quota, use and what is left (Infinity when there is no quota). */
  async usage(
    user: User,
    options: { exceptUpload?: string } = {},
  ): Promise<{ quota: number | null; used: number; remaining: number }> {
    const [quota, used] = await Promise.all([this.quotaOf(user), this.options.quotas.used(user.id, options)]);
    return { quota, used, remaining: quota === null ? Number.POSITIVE_INFINITY : Math.max(0, quota - used) };
  }

  /** Throws QUOTA_EXCEEDED when `bytes` more would take the account over its quota. */
  async checkQuota(user: User, bytes: number, options: { exceptUpload?: string } = {}): Promise<number> {
    const { quota, used, remaining } = await this.usage(user, options);
    if (quota !== null && bytes > remaining)
      throw new SeedcastError(
        'QUOTA_EXCEEDED',
        `${formatSize(bytes)} more would go over your quota of ${formatSize(quota)} (${formatSize(used)} used)`,
      );
    return remaining;
  }

  async space(): Promise<DiskSpace> {
    const fs = await statfs(this.options.dataRoot);
    const free = Number(fs.bavail) * Number(fs.bsize);
    const total = Number(fs.blocks) * Number(fs.bsize);
    const reserve = Math.max(this.options.minFreeBytes, Math.ceil((this.options.minFreeRatio ?? 0) * total));
    const promised =
      (await this.options.quotas.pendingUploadBytes()) + this.promisers.reduce((sum, p) => sum + p(), 0);
    return { free, reserve, promised };
  }

  /**
   * Throws DISK_FULL when writing `bytes` more (besides what is already promised) would leave less
   * than the reserve free on the data folder's disk.
   */
  async checkDisk(bytes: number, what = 'this'): Promise<void> {
    const { free, reserve, promised } = await this.space();
    if (free - promised - bytes < reserve)
      throw new SeedcastError(
        'DISK_FULL',
        `${what} needs ${formatSize(bytes)}; ${formatSize(Math.max(0, free - promised))} is free and ${formatSize(reserve)} is kept in reserve`,
      );
  }
}

/** A full disk or quota from the operating system (ENOSPC, EDQUOT) as DISK_FULL (507); others as they are. */
export function asDiskFull(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  return new SeedcastError('DISK_FULL', 'the disk filled up while writing', { cause: err });
}
