/**
 * The peer wire protocol: handshake, message codec and framer, protocol rules, the extension
 * protocol with metadata exchange and peer exchange, the allowed-fast set, and `PeerConnection`,
 * which puts them together over a socket (BEP 3, 5, 6, 9, 10, 11). No torrent state lives here:
 * the engine decides what to request, whom to choke and what to store.
 */

export { bytesToIp, encodeCompactPeers, ipToBytes, type PeerAddress, parseCompactPeers } from './address.js';
export { allowedFastSet } from './allowed-fast.js';
export { ChunkQueue } from './chunks.js';
export {
  type ConnectionStats,
  PeerConnection,
  type PeerConnectionEvents,
  type PeerConnectionOptions,
  type RemoteHandshake,
} from './connection.js';
export {
  DEFAULT_MAX_METADATA_SIZE,
  type ExtendedHandshake,
  encodeExtendedHandshake,
  parseExtendedHandshake,
} from './extended.js';
export { DEFAULT_MAX_MESSAGE_LENGTH, type FrameLimits, MessageFramer } from './framer.js';
export {
  type Extensions,
  encodeHandshake,
  HANDSHAKE_LENGTH,
  type Handshake,
  type HandshakeHead,
  negotiate,
  PROTOCOL,
  parseHandshake,
  parseReserved,
  readHandshakeHead,
  readPeerId,
  reservedBytes,
} from './handshake.js';
export {
  HASH_MESSAGE_IDS,
  type HashRequest,
  MAX_HASH_RUN,
  parseHashes,
  parseHashHeader,
  uncleCount,
} from './hash-messages.js';
export {
  BLOCK_LENGTH,
  type BlockRef,
  encodeExtended,
  encodeMessage,
  encodePieceHeader,
  FAST_MESSAGES,
  type Message,
  MessageId,
  type MessageType,
} from './messages.js';
export {
  encodeMetadataMessage,
  METADATA_PIECE_LENGTH,
  MetadataAssembler,
  type MetadataMessage,
  metadataPiece,
  metadataPieceCount,
  parseMetadataMessage,
  verifyMetadata,
} from './metadata.js';
export { parseFrame } from './parse.js';
export { decodeExtended, LOCAL_EXTENSIONS, type PeerMessage } from './peer-message.js';
export { encodePex, PexFlags, type PexMessage, type PexPeer, parsePex } from './pex.js';
export {
  checkBitfield,
  checkBlock,
  type PieceGeometry,
  ProtocolRules,
  pieceGeometry,
  pieceSize,
} from './rules.js';
export { SHARED_READ_SIZE, type SharedRead, sharedRead } from './shared-read.js';
