/**
 * The S3-compatible blob store (Amazon S3 API: PutObject, GetObject with `Range` (RFC 9110 §14),
 * HeadObject, DeleteObject, ListObjectsV2, multipart upload). Blob `k` is object `<prefix>k`.
 *
 * A put reads the body in parts of `partSize`, hashing and counting as it goes. A body that fits in
 * one part is checked, then sent with one PutObject; a larger one becomes a multipart upload (one part
 * sent while the next is read) that is completed only after the whole body matched its expected size
 * and hash, and aborted otherwise: either way S3 publishes the object whole or not at all. Checksums
 * beyond S3's own are off (`WHEN_REQUIRED`): we hash ourselves, and S3-compatible servers do not all
 * accept the SDK's streaming checksum trailers.
 *
 * The final write of a key (the PutObject or the CompleteMultipartUpload) waits for any other final
 * write of the same key from this process. S3 itself replaces objects atomically, but some
 * S3-compatible servers write an object in place (s3rver does), where two overlapping writes of one
 * key could interleave into a body that neither sent.
 */

import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SeedcastError } from '../errors.js';
import {
  type BlobBody,
  type BlobInfo,
  type BlobStore,
  BodyCheck,
  type ByteRange,
  chunksOf,
  type PutOptions,
  type PutResult,
  resolveRange,
} from './blob-store.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import { parseS3Url, type S3Location } from './s3-url.js';

const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

interface AwsError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(err: unknown): number | undefined {
  return (err as AwsError | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as AwsError | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404;
}

/** Our error for an SDK failure; SeedcastErrors pass through. */
function mapError(err: unknown, key: string): unknown {
  if (err instanceof SeedcastError) return err;
  const e = err as AwsError & Error;
  if (isNotFound(err) && e.name !== 'NoSuchBucket')
    return new SeedcastError('STORAGE_NOT_FOUND', key, { cause: err });
  if (e.name === 'InvalidRange' || statusOf(err) === 416) {
    return new SeedcastError('STORAGE_RANGE', key, { cause: err });
  }
  if (UNAVAILABLE.has(e.code ?? '') || e.name === 'NoSuchBucket' || (statusOf(err) ?? 0) >= 500) {
    return new SeedcastError('STORAGE_UNAVAILABLE', `${e.name ?? 'error'}: ${e.message}`, { cause: err });
  }
  return err;
}

export class S3Store implements BlobStore {
  readonly location: S3Location;
  private readonly client: S3Client;

  /** `location` is an `s3://` URL (see `s3-url.ts`) or its parsed form. */
  constructor(location: string | S3Location) {
    this.location = typeof location === 'string' ? parseS3Url(location) : location;
    const { region, endpoint, forcePathStyle, credentials } = this.location;
    this.client = new S3Client({
      region,
      forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
  }

  /** Final writes in flight, by object key: each one waits for the one before it. */
  private readonly commits = new Map<string, Promise<unknown>>();

  /** Runs `write` after every earlier final write of `Key` from this store has settled. */
  private async commit<T>(Key: string, write: () => Promise<T>): Promise<T> {
    const before = this.commits.get(Key);
    const mine = (before ? before.then(write, write) : write()) as Promise<T>;
    const settled = mine.catch(() => {});
    this.commits.set(Key, settled);
    try {
      return await mine;
    } finally {
      if (this.commits.get(Key) === settled) this.commits.delete(Key);
    }
  }

  private objectKey(key: string): string {
    return this.location.prefix + assertValidKey(key);
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<PutResult> {
    const Key = this.objectKey(key);
    const Bucket = this.location.bucket;
    const partSize = this.location.partSize;
    const check = new BodyCheck(options);
    const ContentType = options.contentType ?? 'application/octet-stream';
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    let sending: Promise<void> | undefined;
    const sendPart = async (data: Buffer) => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType })))
        .UploadId;
      const PartNumber = parts.length + 1;
      parts.push({ ETag: '', PartNumber });
      const result = await this.client.send(
        new UploadPartCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          Body: data,
          ContentLength: data.length,
        }),
      );
      parts[PartNumber - 1]!.ETag = result.ETag ?? '';
    };
    try {
      let buffered: Buffer[] = [];
      let bufferedBytes = 0;
      for await (const chunk of chunksOf(body)) {
        check.update(chunk);
        buffered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        bufferedBytes += chunk.length;
        while (bufferedBytes > partSize) {
          // Keep at least one byte back, so the last part is never empty.
          const all = Buffer.concat(buffered, bufferedBytes);
          const part = Buffer.from(all.subarray(0, partSize));
          buffered = [all.subarray(partSize)];
          bufferedBytes -= partSize;
          await sending;
          sending = sendPart(part);
        }
      }
      const sha256 = check.finish();
      const rest = Buffer.concat(buffered, bufferedBytes);
      if (!sending) {
        await this.commit(Key, () =>
          this.client.send(
            new PutObjectCommand({ Bucket, Key, Body: rest, ContentLength: rest.length, ContentType }),
          ),
        );
        return { key, size: check.size, sha256 };
      }
      await sending;
      await sendPart(rest);
      const UploadId = uploadId;
      await this.commit(Key, () =>
        this.client.send(
          new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
        ),
      );
      uploadId = undefined;
      return { key, size: check.size, sha256 };
    } catch (err) {
      await sending?.catch(() => {});
      throw mapError(err, key);
    } finally {
      if (uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
          .catch(() => {});
      }
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const Key = this.objectKey(key);
    const offset = range?.offset ?? 0;
    const wanted = range?.length;
    if (offset !== 0 || wanted !== undefined) {
      if (
        !Number.isSafeInteger(offset) ||
        offset < 0 ||
        (wanted !== undefined && !(Number.isSafeInteger(wanted) && wanted >= 0))
      ) {
        throw new SeedcastError('STORAGE_RANGE', `bytes ${offset}+${wanted ?? '*'} of ${key}`);
      }
    }
    if (wanted === 0) {
      const info = await this.head(key);
      if (!info) throw new SeedcastError('STORAGE_NOT_FOUND', key);
      resolveRange(range, info.size);
      return Readable.from([]);
    }
    const Range =
      offset === 0 && wanted === undefined
        ? undefined
        : `bytes=${offset}-${wanted === undefined ? '' : offset + wanted - 1}`;
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key, Range }),
      );
      const stream = result.Body as Readable;
      // What came back: a Content-Range, or (a server that ignores Range) the whole object.
      const got = /^bytes (\d+)-\d+\/(\d+)$/.exec(result.ContentRange ?? '');
      const start = got ? Number(got[1]) : 0;
      const total = got ? Number(got[2]) : (result.ContentLength ?? 0);
      const length = wanted ?? total - offset;
      if (offset + length > total || start > offset) {
        stream.destroy();
        throw new SeedcastError('STORAGE_RANGE', `bytes ${offset}+${wanted ?? '*'} of a ${total}-byte blob`);
      }
      if (start === offset && result.ContentLength === length) return stream;
      return sliceStream(stream, offset - start, length);
    } catch (err) {
      // S3 refuses `bytes=N-` on an N-byte object, but reading "to the end" from the end is empty.
      if (wanted === undefined && (statusOf(err) === 416 || (err as AwsError).name === 'InvalidRange')) {
        const info = await this.head(key);
        if (!info) throw new SeedcastError('STORAGE_NOT_FOUND', key);
        resolveRange(range, info.size);
        return Readable.from([]);
      }
      throw mapError(err, key);
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const Key = this.objectKey(key);
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key }));
      return {
        key,
        size: result.ContentLength ?? 0,
        etag: unquote(result.ETag),
        modified: result.LastModified?.getTime() ?? 0,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw mapError(err, key);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw mapError(err, key);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertValidPrefix(prefix);
    const cut = this.location.prefix.length;
    let ContinuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: this.location.prefix + prefix,
            ContinuationToken,
          }),
        );
      } catch (err) {
        throw mapError(err, prefix);
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield {
          key: object.Key.slice(cut),
          size: object.Size ?? 0,
          etag: unquote(object.ETag),
          modified: object.LastModified?.getTime() ?? 0,
        };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Bytes [skip, skip + take) of `source`; the source is released as soon as they are through. */
function sliceStream(source: Readable, skip: number, take: number): Readable {
  return Readable.from(
    (async function* () {
      let toSkip = skip;
      let left = take;
      try {
        for await (const data of source) {
          let chunk = data as Buffer;
          if (toSkip >= chunk.length) {
            toSkip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(toSkip);
          toSkip = 0;
          if (chunk.length >= left) {
            yield chunk.subarray(0, left);
            left = 0;
            break;
          }
          left -= chunk.length;
          yield chunk;
        }
      } finally {
        source.destroy();
      }
      if (left > 0) throw new SeedcastError('STORAGE_UNAVAILABLE', 'the blob ended before the range did');
    })(),
    { objectMode: false },
  );
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
