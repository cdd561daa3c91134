/**
 * Metainfo: parse `.torrent` files (BEP 3, 12, 19, 27, 47, 52), magnet links (BEP 9) and safe paths.
 * Creating torrents lives beside these (`create.ts`).
 */

export { type CreatedTorrent, type CreateOptions, createTorrent, type PreparedTorrent } from './create.js';
export { parseTorrentFormat, TORRENT_FORMATS, type TorrentFormat } from './format.js';
export { base32Decode, formatMagnet, magnetFromMetainfo, magnetTarget, parseMagnet } from './magnet.js';
export { type ParseOptions, parseTorrent } from './parse.js';
export { assertSafePath, unsafeComponentReason } from './paths.js';
export {
  checkPieceLayers,
  type FileTreeShape,
  fileTreeShape,
  LayerTree,
  layerRoot,
  merkleRoot,
  validRun,
  verifyHashRun,
  zeroSubtreeRoot,
} from './piece-layers.js';
export { MAX_TORRENT_BYTES, withSiteFirst, withWebSeed } from './rewrite.js';
export {
  libtorrentUrlPaths,
  pathDiffers,
  type StoragePathInput,
  storagePaths,
} from './sanitize.js';
export {
  StreamingFileHasher,
  StreamingHasher,
  type StreamingHasherOptions,
} from './streaming-hasher.js';
export type { MagnetLink, Metainfo, TorrentFile, TorrentVersion } from './types.js';
