/**
 * BEP 52 hash messages: `hash request` (21), `hashes` (22), `hash reject` (23), which carry runs of a
 * file's merkle tree (BitTorrent v2) between peers, so a torrent whose `piece layers` are missing
 * (a v2 magnet's metadata is the `info` dictionary alone) can still verify its pieces.
 *
 * Byte by byte (after the 4-byte length prefix and the 1-byte id; integers uint32 big-endian):
 *   hash request  id 0x15  <pieces root: 32 bytes> <base layer> <index> <length> <proof layers>  (49-byte frame)
 *   hashes        id 0x16  the same 48 bytes, then (length + uncles) hashes of 32 bytes each
 *   hash reject   id 0x17  the same 48 bytes as the request it refuses                            (49-byte frame)
 *
 * `pieces root` names the file; `base layer` counts up from the 16 KiB block leaves (0), so the
 * piece layer is log2(piece length / 16 KiB); `index` is the first hash of the run in that layer (a
 * multiple of `length`), `length` a power of two; `proof layers` how many layers above the base the
 * proof reaches. The run itself proves log2(length) - 1 of them (its own subtree); each further layer
 * costs one "uncle" hash (the sibling of the run's ancestor), listed bottom-up after the run, so
 * uncles = max(0, proof layers - (log2(length) - 1)) (libtorrent 2.0's arithmetic).
 *
 * Parsing here checks only the shape (sizes, the hash count against the header, bounds that no
 * honest peer exceeds); what a request means for a torrent is checked by the engine.
 */

import { SeedcastError } from '../errors.js';

export const HASH_MESSAGE_IDS = { hashRequest: 21, hashes: 22, hashReject: 23 } as const;

/** Bytes of the common header after the id: pieces root and four integers. */
export const HASH_HEADER_LENGTH = 32 + 16;
/** Most hashes one run may hold (libtorrent's bound: 8192, a 128 MiB piece in 16 KiB blocks). */
export const MAX_HASH_RUN = 8192;
/** Most proof layers: a file of 2^63 bytes has 49 layers above its blocks. */
export const MAX_PROOF_LAYERS = 64;

export interface HashRequest {
  piecesRoot: Uint8Array;
  baseLayer: number;
  index: number;
  length: number;
  proofLayers: number;
}

/** How many uncle hashes follow a run of `length` hashes proved `proofLayers` layers up. */
export function uncleCount(length: number, proofLayers: number): number {
  const runLayers = Math.log2(nextPowerOfTwo(length));
  return Math.max(0, proofLayers - (runLayers - 1));
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The 48 header bytes after the id. */
export function encodeHashHeader(out: Buffer, at: number, request: HashRequest): void {
  if (request.piecesRoot.byteLength !== 32) {
    throw new SeedcastError('WIRE_MALFORMED', `pieces root of ${request.piecesRoot.byteLength} bytes`);
  }
  out.set(request.piecesRoot, at);
  const fields = [request.baseLayer, request.index, request.length, request.proofLayers];
  fields.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new SeedcastError('WIRE_MALFORMED', `hash message field ${n} is not a 32-bit unsigned integer`);
    }
    out.writeUInt32BE(n, at + 32 + 4 * i);
  });
}

/** Read the header of a hash message (`payload` starts after the id). */
export function parseHashHeader(payload: Buffer): HashRequest {
  if (payload.length < HASH_HEADER_LENGTH) {
    throw new SeedcastError(
      'WIRE_MALFORMED',
      `hash message of ${payload.length + 1} bytes, at least 49 expected`,
    );
  }
  const request: HashRequest = {
    piecesRoot: payload.subarray(0, 32),
    baseLayer: payload.readUInt32BE(32),
    index: payload.readUInt32BE(36),
    length: payload.readUInt32BE(40),
    proofLayers: payload.readUInt32BE(44),
  };
  if (request.length === 0 || request.length > MAX_HASH_RUN) {
    throw new SeedcastError('WIRE_PROTOCOL', `hash run of ${request.length} hashes (1..${MAX_HASH_RUN})`);
  }
  if (request.baseLayer > MAX_PROOF_LAYERS || request.proofLayers > MAX_PROOF_LAYERS) {
    throw new SeedcastError('WIRE_PROTOCOL', 'hash message layers out of range');
  }
  return request;
}

/** Check a `hashes` frame's size against its header: exactly (length + uncles) hashes. */
export function parseHashes(payload: Buffer): HashRequest & { hashes: Buffer; uncles: Buffer } {
  const request = parseHashHeader(payload);
  const body = payload.subarray(HASH_HEADER_LENGTH);
  const uncles = uncleCount(request.length, request.proofLayers);
  const expected = (request.length + uncles) * 32;
  if (body.length !== expected) {
    throw new SeedcastError(
      'WIRE_MALFORMED',
      `hashes message with ${body.length} bytes of hashes, ${expected} expected for ${request.length} + ${uncles}`,
    );
  }
  return {
    ...request,
    hashes: body.subarray(0, request.length * 32),
    uncles: body.subarray(request.length * 32),
  };
}
