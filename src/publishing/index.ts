/**
 * Publishing: how an item comes to be on the site. Upload drafts (`draft.ts`) and resumable tus
 * uploads (`uploads*.ts`), safe file names, the publisher (`publish.ts`: one torrent per item, its
 * web seed, then seeding), torrent-only publishing (`torrent-part.ts`, `torrent-policy.ts`) and the
 * archiving that completes it (`archive*.ts`: the content fetched through the swarm into the blob
 * store), the disk space and users' quotas (`quota.ts`), and the clean-up after a crash
 * (`recover.ts`).
 */

export {
  type ArchiveProgress,
  Archiver,
  type ArchiverOptions,
  type ArchiveStatus,
  isArchived,
} from './archive.js';
export { ARCHIVED, type ArchiveView, archiveLabel, archiveStatus } from './archive-status.js';
export { FailFastStore } from './archive-store.js';
export { type DraftFile, type DraftOptions, UploadDraft } from './draft.js';
export { safeFileName, uniqueNames } from './filenames.js';
export {
  type ArchiveStarter,
  type Published,
  Publisher,
  type PublisherOptions,
  type PublishFields,
} from './publish.js';
export { asDiskFull, type DiskSpace, formatSize, StorageGuard, type StorageGuardOptions } from './quota.js';
export { type RecoverOptions, removeAbandonedItems, removeOrphanDraftBlobs } from './recover.js';
export { MAX_TORRENT_BYTES, readTorrentPart } from './torrent-part.js';
export {
  type AppendInput,
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  type CreateUploadInput,
  parseUploadChecksum,
  parseUploadMetadata,
  Uploads,
  type UploadsOptions,
} from './uploads.js';
export { SharedUploadParts, type UploadPart } from './uploads-shared.js';
