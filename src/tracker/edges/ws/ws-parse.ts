/**
 * The WebSocket tracker edge's parser (the WebTorrent tracker protocol, BEP 3 semantics over JSON
 * text frames): one text frame in, one plain typed request out, or a refusal to answer with
 * `{action, 'failure reason', info_hash?}`, or "junk" (not JSON at all) for which the socket is
 * closed. The service and the relay registry never see JSON.
 *
 * The frames, as WebTorrent clients (bittorrent-tracker's `websocket-tracker.js`) send them. Every
 * id is a "binary string": 20 characters of code points 0-255, one per byte (latin1).
 *   announce  {action:'announce', info_hash, peer_id, numwant, uploaded, downloaded, left,
 *              event?: 'started'|'completed'|'stopped'|'update', offers?: [{offer:{type:'offer',sdp},
 *              offer_id}]}   (`left` is null when the client does not know the size yet)
 *   answer    {action:'announce', info_hash, peer_id, to_peer_id, offer_id, answer:{type:'answer',sdp}}
 *   scrape    {action:'scrape', info_hash: <one binary string or an array of them>}
 *
 * Limits (`WS_PARSE_LIMITS`): at most 10 offers per announce, an SDP of at most 16 KiB, at most
 * `maxScrape` hashes per scrape; the frame itself is bounded before parsing (`maxPayload`).
 */

import type { AnnounceEvent } from '../../service/types.js';

export interface WsOffer {
  offerId: Buffer;
  sdp: string;
}

export interface WsAnnounce {
  kind: 'announce';
  infoHash: Buffer;
  peerId: Buffer;
  /** Bytes still wanted; Infinity when the client does not know (`left: null`). */
  left: number;
  uploaded: number;
  downloaded: number;
  event: AnnounceEvent;
  /** The offers to relay (empty with `stopped` or `completed`, or none sent). */
  offers: WsOffer[];
}

export interface WsAnswer {
  kind: 'answer';
  infoHash: Buffer;
  peerId: Buffer;
  toPeerId: Buffer;
  offerId: Buffer;
  sdp: string;
}

export interface WsScrape {
  kind: 'scrape';
  infoHashes: Buffer[];
}

/** A request refused: answered with `{action, 'failure reason', info_hash?}`. */
export interface WsRefusal {
  kind: 'refusal';
  action: 'announce' | 'scrape';
  reason: string;
  infoHash?: Buffer;
}

/** Not a tracker message at all (not JSON): the socket is closed. */
export interface WsJunk {
  kind: 'junk';
  reason: string;
}

export type WsMessage = WsAnnounce | WsAnswer | WsScrape | WsRefusal | WsJunk;

export interface WsParseLimits {
  /** Most offers in one announce. */
  maxOffers: number;
  /** Most characters in one SDP. */
  maxSdp: number;
  /** Most info hashes in one scrape. */
  maxScrape: number;
}

export const WS_PARSE_LIMITS: Readonly<WsParseLimits> = { maxOffers: 10, maxSdp: 16 * 1024, maxScrape: 74 };

/** A 20-character binary string as its 20 bytes, or null. */
export function binaryId(value: unknown): Buffer | null {
  if (typeof value !== 'string' || value.length !== 20) return null;
  for (let i = 0; i < 20; i++) if (value.charCodeAt(i) > 255) return null;
  return Buffer.from(value, 'latin1');
}

/** A byte count: a finite number >= 0 (absent or null: `missing`). */
function count(value: unknown, missing: number): number | null {
  if (value === undefined || value === null) return missing;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  return value;
}

const EVENTS: Record<string, AnnounceEvent> = {
  started: 'started',
  completed: 'completed',
  stopped: 'stopped',
  update: 'none',
  paused: 'none',
  '': 'none',
};

/** Parses one text frame. Never throws. */
export function parseWsMessage(text: string, limits: WsParseLimits = WS_PARSE_LIMITS): WsMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'junk', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'junk', reason: 'not a JSON object' };
  }
  const msg = value as Record<string, unknown>;
  if (msg.action === 'scrape') return parseScrape(msg, limits);
  if (msg.action !== 'announce') {
    return { kind: 'refusal', action: 'announce', reason: 'unknown action (announce or scrape)' };
  }
  const refuse = (reason: string, infoHash?: Buffer): WsRefusal => ({
    kind: 'refusal',
    action: 'announce',
    reason,
    ...(infoHash ? { infoHash } : {}),
  });
  const infoHash = binaryId(msg.info_hash);
  if (!infoHash) return refuse('invalid info_hash (20 binary characters)');
  const peerId = binaryId(msg.peer_id);
  if (!peerId) return refuse('invalid peer_id (20 binary characters)', infoHash);
  if (msg.answer !== undefined) {
    const toPeerId = binaryId(msg.to_peer_id);
    if (!toPeerId) return refuse('invalid to_peer_id (required with answer)', infoHash);
    const offerId = binaryId(msg.offer_id);
    if (!offerId) return refuse('invalid offer_id', infoHash);
    const sdp = sdpOf(msg.answer, 'answer', limits);
    if (typeof sdp !== 'string') return refuse(`answer: ${sdp.error}`, infoHash);
    return { kind: 'answer', infoHash, peerId, toPeerId, offerId, sdp };
  }
  const left = count(msg.left, Number.POSITIVE_INFINITY);
  const uploaded = count(msg.uploaded, 0);
  const downloaded = count(msg.downloaded, 0);
  if (left === null || uploaded === null || downloaded === null)
    return refuse('left, uploaded and downloaded must be numbers >= 0', infoHash);
  if (msg.numwant !== undefined && (typeof msg.numwant !== 'number' || !(msg.numwant >= 0)))
    return refuse('numwant must be a number >= 0', infoHash);
  let event: AnnounceEvent = 'none';
  if (msg.event !== undefined && msg.event !== null) {
    const known = typeof msg.event === 'string' ? EVENTS[msg.event] : undefined;
    if (!known) return refuse('unknown event', infoHash);
    event = known;
  }
  const offers: WsOffer[] = [];
  if (msg.offers !== undefined && msg.offers !== null) {
    if (!Array.isArray(msg.offers)) return refuse('offers must be a list', infoHash);
    if (msg.offers.length > limits.maxOffers)
      return refuse(`at most ${limits.maxOffers} offers per announce`, infoHash);
    for (const o of msg.offers) {
      if (typeof o !== 'object' || o === null) return refuse('an offer must be an object', infoHash);
      const { offer, offer_id } = o as Record<string, unknown>;
      const offerId = binaryId(offer_id);
      if (!offerId) return refuse('invalid offer_id', infoHash);
      const sdp = sdpOf(offer, 'offer', limits);
      if (typeof sdp !== 'string') return refuse(`offer: ${sdp.error}`, infoHash);
      offers.push({ offerId, sdp });
    }
  }
  // Offers of a peer that stops or has finished are not relayed (clients send none then).
  if (event === 'stopped' || event === 'completed') offers.length = 0;
  return { kind: 'announce', infoHash, peerId, left, uploaded, downloaded, event, offers };
}

function sdpOf(value: unknown, type: 'offer' | 'answer', limits: WsParseLimits): string | { error: string } {
  if (typeof value !== 'object' || value === null) return { error: `must be {type:'${type}', sdp}` };
  const { type: t, sdp } = value as Record<string, unknown>;
  if (t !== type) return { error: `type must be '${type}'` };
  if (typeof sdp !== 'string' || sdp.length === 0) return { error: 'sdp must be a string' };
  if (sdp.length > limits.maxSdp) return { error: `sdp longer than ${limits.maxSdp} characters` };
  return sdp;
}

function parseScrape(msg: Record<string, unknown>, limits: WsParseLimits): WsScrape | WsRefusal {
  const refuse = (reason: string): WsRefusal => ({ kind: 'refusal', action: 'scrape', reason });
  const given = typeof msg.info_hash === 'string' ? [msg.info_hash] : msg.info_hash;
  if (!Array.isArray(given) || given.length === 0)
    return refuse('scrape needs at least one info_hash (full scrape is off)');
  if (given.length > limits.maxScrape) return refuse(`at most ${limits.maxScrape} info hashes per scrape`);
  const infoHashes: Buffer[] = [];
  for (const h of given) {
    const hash = binaryId(h);
    if (!hash) return refuse('invalid info_hash (20 binary characters)');
    infoHashes.push(hash);
  }
  return { kind: 'scrape', infoHashes };
}
