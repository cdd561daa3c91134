/**
 * BEP 15 (UDP tracker protocol) with BEP 41 URL data: the one codec of its datagrams, for the
 * tracker's UDP edge (requests decoded, answers encoded) and for the engine's tracker client
 * (requests encoded, answers decoded), so the two sides read the same layout. It lives in `net`, the
 * folder both the engine and the tracker may import, and imports nothing of ours but the error
 * registry; its types are plain shapes the tracker's own (`AnnounceRequest`, `AnnounceResponse`,
 * `ScrapeResponse`) satisfy. All integers are big-endian. Requests, byte by byte:
 *
 *   connect   0  i64 protocol id 0x41727101980   8  i32 action 0   12  i32 transaction id   (16 bytes)
 *   announce  0  i64 connection id   8  i32 action 1   12  i32 transaction id   16  20 B info hash
 *             36  20 B peer id   56  i64 downloaded   64  i64 left   72  i64 uploaded
 *             80  i32 event (0 none, 1 completed, 2 started, 3 stopped)   84  u32 IP (ignored)
 *             88  u32 key   92  i32 num want (-1 = default)   96  u16 port            (98 bytes)
 *             98  BEP 41 options: 0x0 end | 0x1 no-op | 0x2 <len u8> <URL data>, repeated
 *   scrape    0  i64 connection id   8  i32 action 2   12  i32 transaction id   16  20 B info hash * n
 *
 * Answers:
 *
 *   connect   0  i32 action 0   4  i32 transaction id   8  i64 connection id                (16 bytes)
 *   announce  0  i32 action 1   4  i32 transaction id   8  i32 interval   12  i32 leechers
 *             16  i32 seeders   20  peers: 6 bytes each over IPv4, 18 bytes each over IPv6
 *   scrape    0  i32 action 2   4  i32 transaction id   8  per hash: i32 seeders, i32 completed,
 *             i32 leechers
 *   error     0  i32 action 3   4  i32 transaction id   8  message (UTF-8)
 */

import { SeedcastError } from '../errors.js';
import type {
  UdpAnnounceAnswer,
  UdpAnnounceRequest,
  UdpAnswer,
  UdpClientAnnounce,
  UdpEvent,
  UdpScrapeAnswer,
} from './udp-tracker-types.js';

export type {
  UdpAnnounceAnswer,
  UdpAnnounceRequest,
  UdpAnswer,
  UdpClientAnnounce,
  UdpEvent,
  UdpScrapeAnswer,
} from './udp-tracker-types.js';

export const PROTOCOL_ID = 0x41727101980n;
export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;
export const ANNOUNCE_LENGTH = 98;
/** Largest datagram read as a request (an announce with a lot of URL data, a scrape of 74 hashes). */
export const MAX_REQUEST_LENGTH = 1500;

/** BEP 15's event codes, by code. */
export const UDP_EVENTS: readonly UdpEvent[] = ['none', 'completed', 'started', 'stopped'];

export type UdpRequest =
  | { action: 'connect'; transactionId: number }
  | {
      action: 'announce';
      transactionId: number;
      connectionId: Buffer;
      request: UdpAnnounceRequest;
      /** BEP 41 URL data (path and query of the tracker URL), when sent. */
      urlData: string;
    }
  | { action: 'scrape'; transactionId: number; connectionId: Buffer; infoHashes: Buffer[] };

function bad(detail: string): SeedcastError {
  return new SeedcastError('TRACKER_BAD_REQUEST', detail);
}

function readI64(msg: Buffer, off: number, name: string): number {
  const hi = msg.readInt32BE(off);
  if (hi < 0) throw bad(`${name} is negative`);
  // Past 2^53 a double is no longer exact: read such counts as the largest exact one (found by fuzzing).
  if (hi > 0x1f_ffff) return Number.MAX_SAFE_INTEGER;
  return hi * 0x1_0000_0000 + msg.readUInt32BE(off + 4);
}

type AnnounceDatagram = Extract<UdpRequest, { action: 'announce' }>;

/**
 * Reused memory for decoding announces: the fixed-size fields are copied into its buffers, and the
 * request objects are filled in place, so decoding an announce allocates nothing.
 */
export interface UdpScratch {
  connectionId: Buffer;
  infoHash: Buffer;
  peerId: Buffer;
  announce: AnnounceDatagram;
}

export function udpScratch(): UdpScratch {
  const connectionId = Buffer.alloc(8);
  const infoHash = Buffer.alloc(20);
  const peerId = Buffer.alloc(20);
  const request: UdpAnnounceRequest = {
    infoHash,
    peerId,
    ip: Buffer.alloc(4),
    port: 0,
    downloaded: 0,
    left: 0,
    uploaded: 0,
    event: 'none',
    numwant: -1,
    key: 0,
    wantPeerIds: false,
    transport: 'udp',
  };
  return {
    connectionId,
    infoHash,
    peerId,
    announce: { action: 'announce', transactionId: 0, connectionId, request, urlData: '' },
  };
}

/**
 * Decodes a datagram of at least 16 bytes from a peer at `ip`. Throws `TRACKER_BAD_REQUEST` /
 * `TRACKER_TOO_LARGE` for anything malformed. With `scratch`, the connection id, info hash and peer
 * id are copied into it (valid until the next decode with the same scratch) rather than viewed in
 * `msg`: no buffer objects are made per announce.
 */
export function decodeUdpRequest(msg: Buffer, ip: Buffer, scratch?: UdpScratch): UdpRequest {
  if (msg.length < 16) throw bad('datagram shorter than 16 bytes');
  if (msg.length > MAX_REQUEST_LENGTH)
    throw new SeedcastError('TRACKER_TOO_LARGE', `datagram over ${MAX_REQUEST_LENGTH} bytes`);
  const action = msg.readUInt32BE(8);
  const transactionId = msg.readUInt32BE(12);
  if (action === ACTION_CONNECT) {
    if (msg.readBigUInt64BE(0) !== PROTOCOL_ID) throw bad('connect without the protocol id');
    return { action: 'connect', transactionId };
  }
  if (action === ACTION_ANNOUNCE) {
    if (msg.length < ANNOUNCE_LENGTH) throw bad(`announce of ${msg.length} bytes, needs ${ANNOUNCE_LENGTH}`);
    const eventCode = msg.readUInt32BE(80);
    const event = UDP_EVENTS[eventCode];
    if (event === undefined) throw bad(`unknown event ${eventCode}`);
    const port = msg.readUInt16BE(96);
    if (port === 0) throw bad('port 0');
    const numwant = msg.readInt32BE(92);
    if (scratch) return decodeAnnounceInto(scratch, msg, ip, transactionId, event, port, numwant);
    const connectionId = msg.subarray(0, 8);
    const request: UdpAnnounceRequest = {
      // Views of the datagram: the service copies them before waiting on anything.
      infoHash: msg.subarray(16, 36),
      peerId: msg.subarray(36, 56),
      ip,
      port,
      downloaded: readI64(msg, 56, 'downloaded'),
      left: readI64(msg, 64, 'left'),
      uploaded: readI64(msg, 72, 'uploaded'),
      event,
      numwant: numwant < 0 ? -1 : numwant,
      key: msg.readUInt32BE(88),
      wantPeerIds: false,
      transport: 'udp',
    };
    return { action: 'announce', transactionId, connectionId, request, urlData: readOptions(msg) };
  }
  if (action === ACTION_SCRAPE) {
    const bytes = msg.length - 16;
    if (bytes === 0 || bytes % 20 !== 0) throw bad('scrape must carry whole 20-byte info hashes');
    const infoHashes: Buffer[] = [];
    for (let off = 16; off < msg.length; off += 20) infoHashes.push(Buffer.from(msg.subarray(off, off + 20)));
    return { action: 'scrape', transactionId, connectionId: Buffer.from(msg.subarray(0, 8)), infoHashes };
  }
  throw bad(`unknown action ${action}`);
}

/** `decodeUdpRequest` of an announce into `scratch` (valid until its next use). */
function decodeAnnounceInto(
  scratch: UdpScratch,
  msg: Buffer,
  ip: Buffer,
  transactionId: number,
  event: UdpEvent,
  port: number,
  numwant: number,
): AnnounceDatagram {
  // Byte loops: Buffer#copy of a range makes a view object each time.
  const { connectionId, infoHash, peerId, announce } = scratch;
  for (let k = 0; k < 8; k++) connectionId[k] = msg[k]!;
  for (let k = 0; k < 20; k++) infoHash[k] = msg[16 + k]!;
  for (let k = 0; k < 20; k++) peerId[k] = msg[36 + k]!;
  const request = announce.request;
  request.ip = ip;
  request.port = port;
  request.downloaded = readI64(msg, 56, 'downloaded');
  request.left = readI64(msg, 64, 'left');
  request.uploaded = readI64(msg, 72, 'uploaded');
  request.event = event;
  request.numwant = numwant < 0 ? -1 : numwant;
  request.key = msg.readUInt32BE(88);
  announce.transactionId = transactionId;
  announce.urlData = msg.length > ANNOUNCE_LENGTH ? readOptions(msg) : '';
  return announce;
}

/** Reads the BEP 41 options after an announce; returns the URL data they carry. */
function readOptions(msg: Buffer): string {
  let url = '';
  let i = ANNOUNCE_LENGTH;
  while (i < msg.length) {
    const type = msg[i]!;
    if (type === 0x0) break;
    if (type === 0x1) {
      i++;
      continue;
    }
    if (i + 1 >= msg.length) throw bad('BEP 41 option without its length');
    const len = msg[i + 1]!;
    if (i + 2 + len > msg.length) throw bad('BEP 41 option longer than the datagram');
    if (type === 0x2) url += msg.toString('latin1', i + 2, i + 2 + len);
    i += 2 + len;
  }
  return url;
}

export function encodeConnect(transactionId: number, connectionId: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  out.writeUInt32BE(ACTION_CONNECT, 0);
  out.writeUInt32BE(transactionId, 4);
  connectionId.copy(out, 8);
  return out;
}

/**
 * An announce answer with the peers of one family (`ipv6`: the 18-byte list, else the 6-byte one),
 * written into `into` when it is large enough (the answer is then a view of it), else into a new
 * buffer.
 */
export function encodeAnnounce(
  transactionId: number,
  res: UdpAnnounceAnswer,
  options: { ipv6: boolean },
  into?: Buffer,
): Buffer {
  const peers = options.ipv6 ? res.peers.v6 : res.peers.v4;
  const length = 20 + peers.length;
  const out = into && into.length >= length ? viewOf(into, length) : Buffer.allocUnsafe(length);
  out.writeUInt32BE(ACTION_ANNOUNCE, 0);
  out.writeUInt32BE(transactionId, 4);
  out.writeUInt32BE(res.interval, 8);
  out.writeUInt32BE(Math.min(res.incomplete, 0x7fffffff), 12);
  out.writeUInt32BE(Math.min(res.complete, 0x7fffffff), 16);
  peers.copy(out, 20);
  return out;
}

export function encodeScrape(transactionId: number, res: UdpScrapeAnswer): Buffer {
  const out = Buffer.allocUnsafe(8 + 12 * res.files.length);
  out.writeUInt32BE(ACTION_SCRAPE, 0);
  out.writeUInt32BE(transactionId, 4);
  res.files.forEach((f, i) => {
    out.writeUInt32BE(Math.min(f.counts.complete, 0x7fffffff), 8 + i * 12);
    out.writeUInt32BE(Math.min(f.counts.downloaded, 0x7fffffff), 12 + i * 12);
    out.writeUInt32BE(Math.min(f.counts.incomplete, 0x7fffffff), 16 + i * 12);
  });
  return out;
}

/** An error answer, cut so that it is never longer than `maxLength` (the request's length). */
export function encodeError(transactionId: number, message: string, maxLength: number): Buffer {
  const text = Buffer.from(message, 'utf8');
  const room = Math.max(0, Math.min(text.length, maxLength - 8));
  const out = Buffer.allocUnsafe(8 + room);
  out.writeUInt32BE(ACTION_ERROR, 0);
  out.writeUInt32BE(transactionId, 4);
  text.copy(out, 8, 0, room);
  return out;
}

// The client's half: requests encoded, answers decoded.

/** A connect request. */
export function encodeConnectRequest(transactionId: number): Buffer {
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(PROTOCOL_ID, 0);
  out.writeUInt32BE(ACTION_CONNECT, 8);
  out.writeUInt32BE(transactionId, 12);
  return out;
}

/** An announce request, its URL data cut into BEP 41 options of at most 255 bytes each. */
export function encodeAnnounceRequest(
  connectionId: Buffer,
  transactionId: number,
  a: UdpClientAnnounce,
): Buffer {
  const urlData = Buffer.from(a.urlData, 'utf8');
  const options: Buffer[] = [];
  for (let at = 0; at < urlData.length; at += 255) {
    const part = urlData.subarray(at, at + 255);
    options.push(Buffer.from([0x02, part.length]), part);
  }
  const out = Buffer.alloc(ANNOUNCE_LENGTH);
  connectionId.copy(out, 0, 0, 8);
  out.writeUInt32BE(ACTION_ANNOUNCE, 8);
  out.writeUInt32BE(transactionId, 12);
  Buffer.from(a.infoHash).copy(out, 16);
  Buffer.from(a.peerId).copy(out, 36);
  out.writeBigUInt64BE(BigInt(a.downloaded), 56);
  out.writeBigUInt64BE(BigInt(a.left), 64);
  out.writeBigUInt64BE(BigInt(a.uploaded), 72);
  out.writeUInt32BE(UDP_EVENTS.indexOf(a.event), 80);
  out.writeUInt32BE(0, 84);
  out.writeUInt32BE(a.key >>> 0, 88);
  out.writeInt32BE(a.numwant, 92);
  out.writeUInt16BE(a.port, 96);
  return options.length ? Buffer.concat([out, ...options]) : out;
}

/**
 * A tracker's answer (at least 8 bytes: action and transaction id); `malformed` when it is too short
 * for its action or the action is unknown.
 */
export function decodeUdpAnswer(msg: Buffer): UdpAnswer {
  const action = msg.readUInt32BE(0);
  const transactionId = msg.readUInt32BE(4);
  const malformed = (detail: string): UdpAnswer => ({
    action: 'malformed',
    transactionId,
    code: action,
    detail,
  });
  if (action === ACTION_CONNECT) {
    if (msg.length < 16) return malformed('short connect response');
    return { action: 'connect', transactionId, connectionId: msg.subarray(8, 16) };
  }
  if (action === ACTION_ANNOUNCE) {
    if (msg.length < 20) return malformed('short announce response');
    return {
      action: 'announce',
      transactionId,
      interval: msg.readUInt32BE(8),
      leechers: msg.readUInt32BE(12),
      seeders: msg.readUInt32BE(16),
      peers: msg.subarray(20),
    };
  }
  if (action === ACTION_SCRAPE) {
    const files: { seeders: number; completed: number; leechers: number }[] = [];
    for (let at = 8; at + 12 <= msg.length; at += 12)
      files.push({
        seeders: msg.readUInt32BE(at),
        completed: msg.readUInt32BE(at + 4),
        leechers: msg.readUInt32BE(at + 8),
      });
    return { action: 'scrape', transactionId, files };
  }
  if (action === ACTION_ERROR)
    return { action: 'error', transactionId, message: msg.subarray(8).toString('utf8') };
  return malformed(`unexpected action ${action}`);
}

/** Views of reused answer buffers, by length: the same few lengths recur, and a view is an object. */
const views = new WeakMap<Buffer, Buffer[]>();

function viewOf(buf: Buffer, length: number): Buffer {
  let byLength = views.get(buf);
  if (!byLength) {
    byLength = [];
    views.set(buf, byLength);
  }
  let view = byLength[length];
  if (!view) {
    view = buf.subarray(0, length);
    byLength[length] = view;
  }
  return view;
}
