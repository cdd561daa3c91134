/**
 * The BitTorrent engine: one peer with a listening port and a session per torrent (download, seed,
 * magnet metadata, web seeds, resume by recheck), over the wire protocol in `src/wire`.
 */

export { type AnnounceParams, type AnnounceResult, announce } from './announce.js';
export { Bitfield } from './bitfield.js';
export { type AddOptions, Engine, type EngineOptions } from './engine.js';
export { describeError, failOwner } from './fault.js';
export { FileStore, type PieceStore } from './file-store.js';
export type { Transport } from './peer.js';
export { PieceMap } from './piece-map.js';
export { RateLimiter } from './rate-limit.js';
export { TorrentSession } from './session.js';
export { isRepairing, type RepairOptions, repairPieces } from './session-repair.js';
export type { SessionStats } from './session-stats.js';
export {
  type DataChannelLike,
  DataChannelStream,
  type WebRtcAvailability,
  type WebRtcModule,
  type WebRtcOptions,
  type WebRtcRemote,
  WebRtcTransport,
  webRtcAvailability,
} from './transports/index.js';
export { PieceVerifier } from './verify.js';
export { WebSeed } from './web-seed.js';
