/**
 * Blob storage for the site: the `BlobStore` interface, its local-disk and S3-compatible adapters,
 * the key scheme, and a read-only `PieceStore` over an item's blobs for the seeding peer.
 */

export {
  type BlobBody,
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  type PutOptions,
  type PutResult,
  readAll,
} from './blob-store.js';
export { assertValidKey, assertValidPrefix, blobKey, invalidKeyReason, safeSegment } from './keys.js';
export { LocalDiskStore } from './local-disk.js';
export { openBlobStore, type StorageTarget } from './open.js';
export { BlobPieceStore, type BlobPieceStoreOptions } from './piece-store.js';
export { type BlobPatch, RepairStore, type RepairStoreOptions, writeBlobRanges } from './piece-writer.js';
export { S3Store } from './s3.js';
export { parseS3Url, type S3Location } from './s3-url.js';
