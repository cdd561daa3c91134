/**
 * Tracker client: one announce over HTTP (BEP 3, compact peers BEP 23, IPv6 `peers6` BEP 7) or UDP
 * (BEP 15, with BEP 41 URL data).
 *
 * The UDP datagrams are encoded and decoded by the BEP 15 codec the tracker's UDP edge uses too
 * (`net/udp-tracker-codec.ts`).
 * Requests are retried with a growing timeout (BEP 15 uses 15 * 2^n s; we use shorter steps and
 * give up sooner, as the session re-announces anyway).
 *
 * With `policy` (a tracker named by a stranger, see `tracker-tiers.ts`), an HTTP announce goes through
 * `outboundFetch` (every redirect hop checked, names checked at connect time) and a UDP tracker's name
 * is resolved and checked before the socket sends anything, then contacted at the checked address.
 * HTTP bodies are read up to 2 MiB, never more.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { decode, isBytes, isDict, isInt, isList } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  decodeUdpAnswer,
  encodeAnnounceRequest,
  encodeConnectRequest,
  type OutboundPolicy,
  outboundFetch,
  type UdpAnswer,
  type UdpClientAnnounce,
} from '../net/index.js';
import { type PeerAddress, parseCompactPeers } from '../wire/index.js';

export type AnnounceEvent = 'started' | 'completed' | 'stopped' | undefined;

export interface AnnounceParams {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: AnnounceEvent;
  numwant?: number;
  /** A random value that identifies us across IP changes. */
  key?: number;
}

export interface AnnounceResult {
  interval: number;
  minInterval?: number;
  seeders?: number;
  leechers?: number;
  peers: PeerAddress[];
  warning?: string;
  trackerId?: string;
}

export interface AnnounceOptions {
  /** Give up after this long in total (ms, default 15 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Contact the tracker only at addresses this policy allows (absent: any address). */
  policy?: OutboundPolicy;
}

const MAX_RESPONSE = 2 * 1024 * 1024;

function fail(detail: string): SeedcastError {
  return new SeedcastError('TRACKER_UNAVAILABLE', detail);
}

/** Announce to `url` (http:, https: or udp:). */
export function announce(
  url: string,
  params: AnnounceParams,
  options: AnnounceOptions = {},
): Promise<AnnounceResult> {
  if (/^udp:/i.test(url)) return announceUdp(url, params, options);
  if (/^https?:/i.test(url)) return announceHttp(url, params, options);
  return Promise.reject(fail(`unsupported tracker URL ${url}`));
}

/** Percent-encode raw bytes for a query string (every byte outside the unreserved set). */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export async function announceHttp(
  url: string,
  params: AnnounceParams,
  options: AnnounceOptions = {},
): Promise<AnnounceResult> {
  const query = [
    `info_hash=${percentEncodeBytes(params.infoHash)}`,
    `peer_id=${percentEncodeBytes(params.peerId)}`,
    `port=${params.port}`,
    `uploaded=${params.uploaded}`,
    `downloaded=${params.downloaded}`,
    `left=${params.left}`,
    'compact=1',
    `numwant=${params.numwant ?? 50}`,
    ...(params.key !== undefined ? [`key=${params.key.toString(16)}`] : []),
    ...(params.event ? [`event=${params.event}`] : []),
  ].join('&');
  const full = `${url}${url.includes('?') ? '&' : '?'}${query}`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let body: Uint8Array;
  try {
    const { response } = await outboundFetch(full, {
      policy: options.policy,
      signal,
      headers: { 'User-Agent': 'Seedcast/0.1' },
      timeoutMs: options.timeoutMs ?? 15_000,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(`${url}: HTTP ${response.status}`);
    }
    body = await readAtMost(response, MAX_RESPONSE, url);
  } catch (err) {
    if (err instanceof SeedcastError && err.code === 'TRACKER_UNAVAILABLE') throw err;
    throw fail(`${url}: ${(err as Error).message}`);
  }
  return parseHttpResponse(body, url);
}

/** The body, refusing more than `limit` bytes (a tracker answer is small). */
async function readAtMost(response: Response, limit: number, url: string): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw fail(`${url}: response too large`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Parse a bencoded announce response (BEP 3, 7, 23). */
export function parseHttpResponse(body: Uint8Array, url = 'tracker'): AnnounceResult {
  let root: ReturnType<typeof decode>;
  try {
    // Trackers in the wild write keys in any order: read the response as libtorrent does.
    root = decode(body, { maxSize: MAX_RESPONSE, lenient: true });
  } catch (err) {
    throw fail(`${url}: not a bencoded response (${(err as Error).message})`);
  }
  if (!isDict(root)) throw fail(`${url}: response is not a dictionary`);
  const failure = root.get('failure reason');
  if (isBytes(failure)) throw fail(`${url}: ${Buffer.from(failure).toString('utf8')}`);
  const interval = root.get('interval');
  const result: AnnounceResult = { interval: isInt(interval) ? Number(interval) : 1800, peers: [] };
  const min = root.get('min interval');
  if (isInt(min)) result.minInterval = Number(min);
  const complete = root.get('complete');
  if (isInt(complete)) result.seeders = Number(complete);
  const incomplete = root.get('incomplete');
  if (isInt(incomplete)) result.leechers = Number(incomplete);
  const warning = root.get('warning message');
  if (isBytes(warning)) result.warning = Buffer.from(warning).toString('utf8');
  const trackerId = root.get('tracker id');
  if (isBytes(trackerId)) result.trackerId = Buffer.from(trackerId).toString('latin1');
  const peers = root.get('peers');
  if (isBytes(peers))
    result.peers.push(...parseCompactPeers(peers.subarray(0, peers.length - (peers.length % 6)), 6));
  else if (isList(peers)) {
    for (const p of peers) {
      if (!isDict(p)) continue;
      const ip = p.get('ip');
      const port = p.get('port');
      if (isBytes(ip) && isInt(port) && Number(port) > 0 && Number(port) < 65536) {
        result.peers.push({ host: Buffer.from(ip).toString('utf8'), port: Number(port) });
      }
    }
  }
  const peers6 = root.get('peers6');
  if (isBytes(peers6))
    result.peers.push(...parseCompactPeers(peers6.subarray(0, peers6.length - (peers6.length % 18)), 18));
  return result;
}

export async function announceUdp(
  url: string,
  params: AnnounceParams,
  options: AnnounceOptions = {},
): Promise<AnnounceResult> {
  const parsed = new URL(url);
  let host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port);
  if (!port) throw fail(`${url}: no port`);
  // Under a policy: resolve and check first, then send only to the checked address.
  if (options.policy) host = (await options.policy.checkHost(host))[0]!;
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const socket = createSocket(family);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const context = { deadline, signal: options.signal, url };
    const connected = await exchange(socket, encodeConnectRequest, 'connect', context);
    const announce: UdpClientAnnounce = {
      infoHash: params.infoHash,
      peerId: params.peerId,
      downloaded: params.downloaded,
      left: params.left,
      uploaded: params.uploaded,
      event: params.event ?? 'none',
      key: params.key ?? 0,
      numwant: params.numwant ?? 50,
      port: params.port,
      urlData: `${parsed.pathname === '/' ? '' : parsed.pathname}${parsed.search}`,
    };
    const reply = await exchange(
      socket,
      (tid) => encodeAnnounceRequest(connected.connectionId, tid, announce),
      'announce',
      context,
    );
    return {
      interval: reply.interval,
      leechers: reply.leechers,
      seeders: reply.seeders,
      peers: parseCompactPeers(reply.peers.subarray(0, reply.peers.length - (reply.peers.length % 6)), 6),
    };
  } finally {
    socket.close();
  }
}

/**
 * Sends the request `encode` makes with a fresh transaction id and waits for the matching answer of
 * `action`, retrying.
 */
async function exchange<A extends 'connect' | 'announce'>(
  socket: ReturnType<typeof createSocket>,
  encode: (transactionId: number) => Buffer,
  action: A,
  context: { deadline: number; signal: AbortSignal | undefined; url: string },
): Promise<Extract<UdpAnswer, { action: A }>> {
  const transactionId = randomBytes(4).readUInt32BE(0);
  const packet = encode(transactionId);
  let wait = 1000;
  while (Date.now() < context.deadline) {
    if (context.signal?.aborted) throw fail(`${context.url}: aborted`);
    socket.send(packet);
    const reply = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(
        () => finish(null),
        Math.min(wait, Math.max(1, context.deadline - Date.now())),
      );
      const onMessage = (msg: Buffer) => {
        if (msg.length >= 8 && msg.readUInt32BE(4) === transactionId) finish(msg);
      };
      const onError = () => finish(null);
      function finish(value: Buffer | null) {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('error', onError);
        resolve(value);
      }
      socket.on('message', onMessage);
      socket.on('error', onError);
    });
    if (reply) {
      const answer = decodeUdpAnswer(reply);
      if (answer.action === 'error') throw fail(`${context.url}: ${answer.message}`);
      const code = action === 'connect' ? ACTION_CONNECT : ACTION_ANNOUNCE;
      const got = answer.action === 'malformed' ? answer.code : reply.readUInt32BE(0);
      if (got !== code) throw fail(`${context.url}: unexpected action ${got}`);
      if (answer.action === 'malformed') throw fail(`${context.url}: ${answer.detail}`);
      return answer as Extract<UdpAnswer, { action: A }>;
    }
    wait *= 2;
  }
  throw fail(`${context.url}: no answer`);
}
