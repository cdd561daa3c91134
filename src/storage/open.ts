/**
 * Choosing the blob store from configuration: `SEEDCAST_STORAGE_URL` (`s3://...`, see `s3-url.ts`)
 * or, by default, a folder on local disk (`{ local: '<data>/blobs' }`).
 */

import { SeedcastError } from '../errors.js';
import type { BlobStore } from './blob-store.js';
import { LocalDiskStore } from './local-disk.js';
import { S3Store } from './s3.js';

export type StorageTarget = string | { local: string };

export function openBlobStore(target: StorageTarget): BlobStore {
  if (typeof target === 'object') {
    if (typeof target.local !== 'string' || target.local === '') {
      throw new SeedcastError('STORAGE_CONFIG', 'the local storage folder is empty');
    }
    return new LocalDiskStore(target.local);
  }
  if (/^s3:\/\//i.test(target)) return new S3Store(target);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1];
  throw new SeedcastError(
    'STORAGE_CONFIG',
    scheme ? `unsupported storage scheme "${scheme}:" (use s3://)` : 'not a storage URL',
  );
}
