/**
 * The UDP tracker (BEP 15, BEP 41) over IPv4 and IPv6 as a handler of datagrams: decodes each one
 * (`net/udp-tracker-codec.ts`, the BEP 15 codec the engine's client shares), checks its connection id (`connection-id.ts`), calls the service and returns the
 * answer. Two edges feed it: `serveUdp` here, over Node's `dgram`, and `serveUdpBatch`
 * (`udp-batch.ts`), over our batched native socket.
 *
 * Against abuse: a datagram too short to carry a transaction id (< 16 bytes) is dropped without an
 * answer; every other malformed or refused request gets a BEP 15 error packet that is never longer
 * than the datagram that caused it (no amplification), and a rate-limited warning. Peers come back
 * in the requester's address family only: 6-byte entries over IPv4, 18-byte entries over IPv6.
 */

import type { RemoteInfo, Socket } from 'node:dgram';
import { ERRORS, isSeedcastError, SeedcastError } from '../../../errors.js';
import {
  decodeUdpRequest,
  encodeAnnounce,
  encodeConnect,
  encodeError,
  encodeScrape,
  udpScratch,
} from '../../../net/index.js';
import { silentLog, type TrackerLog } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import type { AnnounceResponse } from '../../service/types.js';
import { ipBytes, ipText } from '../address.js';
import { ConnectionIds } from './connection-id.js';

export interface UdpEdgeOptions {
  log?: TrackerLog;
  connectionIds?: ConnectionIds;
  /**
   * Let the batched socket answer announces in C when the store is the native one (default true;
   * `udp-batch.ts`, `native/udp_fast.c`). The dgram edge has no fast path.
   */
  fastPath?: boolean;
}

/**
 * What the tracker answers to one datagram from `ip` (4 or 16 bytes) and `port`: an answer to send
 * back to the sender, nothing (the datagram is dropped), or a promise of either when the store is
 * asynchronous. Never throws. The caller may reuse the memory of `msg` and `ip` as soon as the call
 * returns: nothing asynchronous reads them (the service copies what it keeps). An answer given at
 * once may be a view of memory the next call reuses: send it or copy it before calling again.
 */
export type DatagramHandler = (
  msg: Buffer,
  ip: Buffer,
  port: number,
) => Buffer | undefined | Promise<Buffer | undefined>;

/** The BEP 15 tracker as a transport-free datagram handler (see `DatagramHandler`). */
export function udpDatagramHandler(service: TrackerService, options: UdpEdgeOptions = {}): DatagramHandler {
  const log = options.log ?? silentLog;
  const ids = options.connectionIds ?? new ConnectionIds();
  const scratch = udpScratch();
  // Answers given at once are written here (the caller sends or copies them before the next call).
  const answers = Buffer.allocUnsafe(20 + 18 * 256);
  // Takes the transaction id and length, not the datagram: its memory may be reused by then.
  const refuse = (tid: number, length: number, ip: Buffer, err: unknown): Buffer => {
    service.recordError('udp', err);
    log.warn(`udp: refused ${(err as Error)?.message ?? String(err)}`, { from: ipText(ip) });
    return encodeError(tid, udpErrorText(err), length);
  };

  return (msg, ip, port) => {
    if (msg.length < 16) {
      service.recordError('udp', new SeedcastError('TRACKER_BAD_REQUEST'));
      log.warn(`udp: dropped a ${msg.length}-byte datagram`, { from: ipText(ip) });
      return undefined;
    }
    const tid = msg.readUInt32BE(12);
    const length = msg.length;
    try {
      const req = decodeUdpRequest(msg, ip, scratch);
      if (req.action === 'connect') {
        service.metrics.connects++;
        return encodeConnect(req.transactionId, ids.issue(ip, port));
      }
      if (!ids.verify(req.connectionId, ip, port)) throw new SeedcastError('TRACKER_CONNECTION_ID');
      if (req.action === 'announce') {
        // Encoded at once below, so the service may answer in memory it reuses.
        const res = service.announce(req.request, TRANSIENT);
        if (res instanceof Promise) {
          const from = Buffer.from(ip);
          return res.then(
            (r) => announceAnswer(tid, from, r),
            (err) => refuse(tid, length, from, err),
          );
        }
        return announceAnswer(tid, ip, res, answers);
      }
      const from = Buffer.from(ip);
      return service.scrape({ infoHashes: req.infoHashes, transport: 'udp' }).then(
        (res) => encodeScrape(tid, res),
        (err) => refuse(tid, length, from, err),
      );
    } catch (err) {
      return refuse(tid, length, ip, err);
    }
  };
}

/**
 * Makes a Node `dgram` socket (bound or not) a UDP tracker; returns the datagram listener it
 * installed. (`serveUdpBatch` in `udp-batch.ts` is the faster edge where it is available.)
 */
export function serveUdp(
  socket: Socket,
  service: TrackerService,
  options: UdpEdgeOptions = {},
): (msg: Buffer, rinfo: RemoteInfo) => void {
  const log = options.log ?? silentLog;
  const handle = udpDatagramHandler(service, options);
  // No send callback: a failed send is an 'error' event on the socket (logged below).
  // dgram sends later and keeps the buffer until then: an answer given at once is copied.
  const reply = (buf: Buffer | undefined, rinfo: RemoteInfo) => {
    if (buf) socket.send(buf, rinfo.port, rinfo.address);
  };
  const onMessage = (msg: Buffer, rinfo: RemoteInfo) => {
    const ip = ipBytes(rinfo.address);
    if (!ip) {
      log.warn(`udp: dropped a datagram from unusable address ${rinfo.address}`);
      return;
    }
    const answer = handle(msg, ip, rinfo.port);
    if (answer instanceof Promise) answer.then((buf) => reply(buf, rinfo));
    else reply(answer && Buffer.from(answer), rinfo);
  };
  socket.on('message', onMessage);
  socket.on('error', (err) => log.warn(`udp: socket error: ${err.message}`));
  return onMessage;
}

const TRANSIENT = { transient: true };
const IPV4 = { ipv6: false };
const IPV6 = { ipv6: true };

function announceAnswer(tid: number, ip: Buffer, res: AnnounceResponse, into?: Buffer): Buffer {
  return encodeAnnounce(tid, res, ip.length === 4 ? IPV4 : IPV6, into);
}

/**
 * The text of a BEP 15 error: short, because it may be cut to the request's length. Malformed
 * requests say what is wrong (the detail); refusals say why; internal failures say nothing more.
 */
function udpErrorText(err: unknown): string {
  if (!isSeedcastError(err)) return 'internal error';
  const base = ERRORS[err.code].message;
  const detailed = err.code === 'TRACKER_BAD_REQUEST' || err.code === 'TRACKER_TOO_LARGE';
  if (detailed && err.message.startsWith(`${base}: `)) return err.message.slice(base.length + 2);
  return base.replace(/^tracker: /, '');
}
