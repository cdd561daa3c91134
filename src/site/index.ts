/**
 * The site's services, transport-free: publishing (upload drafts, tus uploads, licences, file names, media types,
 * the publisher), seeding (the tracker's allow-list and the engine's sessions) and public links. Media
 * facts, thumbnails and derivatives are in `src/media/`.
 */

export { checkLicense } from '../publishing/index.js';
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
export { DERIVATIVES_TORRENT_NAME, SiteLinks } from './links.js';
export { contentTypeOf, mediaTypeOf } from './media.js';
export {
  type ArchiveStarter,
  type Published,
  Publisher,
  type PublisherOptions,
  type PublishFields,
  withWebSeed,
} from './publish.js';
export { asDiskFull, type DiskSpace, formatSize, StorageGuard, type StorageGuardOptions } from './quota.js';
export { type RecoverOptions, removeAbandonedItems, removeOrphanDraftBlobs } from './recover.js';
export {
  type ServedTorrentBytes,
  ServedTorrents,
  type ServedTorrentsOptions,
  servedTorrent,
} from './served-torrent.js';
export { MAX_TORRENT_BYTES, readTorrentPart, withSiteFirst } from './torrent-part.js';
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
