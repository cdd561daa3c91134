/**
 * The site's services, transport-free: publishing (upload drafts, tus uploads, licences, file names, media types,
 * the publisher), media facts and thumbnails (ffprobe, ffmpeg), seeding (the tracker's allow-list and the engine's sessions) and public links.
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
export { checkLicense } from './license.js';
export { SiteLinks } from './links.js';
export { contentTypeOf, mediaTypeOf } from './media.js';
export {
  type AnalysisOutcome,
  MediaAnalyzer,
  type MediaAnalyzerOptions,
  mainMediaFile,
} from './media-analyzer.js';
export { fallbackFacts, type MediaFacts, mediaFacts } from './media-facts.js';
export { INPUT_FORMATS, type MediaToolOptions, probeFile } from './probe.js';
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
export { Seeding, type SeedingOptions } from './seeding.js';
export {
  type ServedTorrentBytes,
  ServedTorrents,
  type ServedTorrentsOptions,
  servedTorrent,
} from './served-torrent.js';
export { isJpeg, makeThumbnail, THUMBNAIL_TYPE, type ThumbnailOptions, thumbnailTime } from './thumbnail.js';
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
