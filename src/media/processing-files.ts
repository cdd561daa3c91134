/**
 * Files for media jobs: a local path to a blob's bytes (the blob itself on the local disk store, a
 * temporary copy under the jobs' folder otherwise, so a `seedcast worker` on another machine reads
 * through S3), the SHA-384 of a blob or file in Subresource Integrity form (`sha384-<base64>`, what
 * feeds publish as `podcast:integrity`), and a private temporary folder per job.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BlobStore, LocalDiskStore } from '../storage/index.js';

export interface LocalFile {
  path: string;
  cleanup(): Promise<void>;
}

/** A local path holding the blob's bytes (removed by `cleanup` when it is a copy). */
export async function localBlob(
  blobs: BlobStore,
  key: string,
  options: { tmpRoot: string; signal?: AbortSignal },
): Promise<LocalFile> {
  if (blobs instanceof LocalDiskStore) return { path: await blobs.localPath(key), cleanup: async () => {} };
  await mkdir(options.tmpRoot, { recursive: true, mode: 0o700 });
  const path = join(options.tmpRoot, randomUUID());
  const cleanup = () => rm(path, { force: true });
  try {
    await copyBlob(blobs, key, path, options.signal);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { path, cleanup };
}

/** Writes the blob's bytes to a new file at `path`. */
export async function copyBlob(
  blobs: BlobStore,
  key: string,
  path: string,
  signal?: AbortSignal,
): Promise<void> {
  await pipeline(await blobs.get(key), createWriteStream(path, { flags: 'wx' }), signal ? { signal } : {});
}

/** The SHA-384 of a stream's bytes as Subresource Integrity: `sha384-<base64>`. */
export async function sha384Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha384');
  for await (const chunk of stream) hash.update(chunk);
  return `sha384-${hash.digest('base64')}`;
}

/**
 * Stores the file at `path` as blob `key` and returns its SHA-384 (Subresource Integrity form),
 * hashed as the bytes go to the store: one read of the file, not two.
 */
export async function putHashed(
  blobs: BlobStore,
  key: string,
  file: { path: string; size: number; contentType: string },
): Promise<string> {
  const hash = createHash('sha384');
  async function* hashed(): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(file.path)) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
  await blobs.put(key, hashed(), { size: file.size, contentType: file.contentType });
  return `sha384-${hash.digest('base64')}`;
}

/** A fresh private folder under `root`, removed by `cleanup`. */
export async function jobFolder(root: string): Promise<LocalFile> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const path = await mkdtemp(join(root, 'job-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
