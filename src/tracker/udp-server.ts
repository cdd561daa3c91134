/**
 * The UDP tracker edge (BEP 15, BEP 41) over IPv4 and IPv6: decodes each datagram
 * (`udp-codec.ts`), checks its connection id (`connection-id.ts`), calls the service and answers.
 *
 * Against abuse: a datagram too short to carry a transaction id (< 16 bytes) is dropped without an
 * answer; every other malformed or refused request gets a BEP 15 error packet that is never longer
 * than the datagram that caused it (no amplification), and a rate-limited warning. Peers come back
 * in the requester's address family only: 6-byte entries over IPv4, 18-byte entries over IPv6.
 */

import type { RemoteInfo, Socket } from 'node:dgram';
import { ERRORS, isSeedcastError, SeedcastError } from '../errors.js';
import { ipBytes } from './address.js';
import { ConnectionIds } from './connection-id.js';
import { silentLog, type TrackerLog } from './log.js';
import type { TrackerService } from './service.js';
import type { AnnounceResponse } from './types.js';
import { decodeUdpRequest, encodeAnnounce, encodeConnect, encodeError, encodeScrape } from './udp-codec.js';

export interface UdpEdgeOptions {
  log?: TrackerLog;
  connectionIds?: ConnectionIds;
}

/** Makes `socket` (bound or not) a UDP tracker; returns the datagram handler it installed. */
export function serveUdp(
  socket: Socket,
  service: TrackerService,
  options: UdpEdgeOptions = {},
): (msg: Buffer, rinfo: RemoteInfo) => void {
  const log = options.log ?? silentLog;
  const ids = options.connectionIds ?? new ConnectionIds();
  // No send callback: a failed send is an 'error' event on the socket (logged below).
  const reply = (buf: Buffer, rinfo: RemoteInfo) => socket.send(buf, rinfo.port, rinfo.address);
  const refuse = (msg: Buffer, rinfo: RemoteInfo, err: unknown) => {
    service.recordError('udp', err);
    log.warn(`udp: refused ${(err as Error)?.message ?? String(err)}`, { from: rinfo.address });
    reply(encodeError(msg.readUInt32BE(12), udpErrorText(err), msg.length), rinfo);
  };

  const onMessage = (msg: Buffer, rinfo: RemoteInfo) => {
    if (msg.length < 16) {
      service.recordError('udp', new SeedcastError('TRACKER_BAD_REQUEST'));
      log.warn(`udp: dropped a ${msg.length}-byte datagram`, { from: rinfo.address });
      return;
    }
    try {
      const ip = ipBytes(rinfo.address);
      if (!ip) throw new Error(`unusable peer address ${rinfo.address}`);
      const req = decodeUdpRequest(msg, ip);
      if (req.action === 'connect') {
        service.metrics.connects++;
        reply(encodeConnect(req.transactionId, ids.issue(ip, rinfo.port)), rinfo);
        return;
      }
      if (!ids.verify(req.connectionId, ip, rinfo.port)) throw new SeedcastError('TRACKER_CONNECTION_ID');
      if (req.action === 'announce') {
        const tid = req.transactionId;
        const res = service.announce(req.request);
        if (res instanceof Promise) {
          res.then(
            (r) => reply(announceAnswer(tid, ip, r), rinfo),
            (err) => refuse(msg, rinfo, err),
          );
        } else {
          reply(announceAnswer(tid, ip, res), rinfo);
        }
        return;
      }
      service.scrape({ infoHashes: req.infoHashes, transport: 'udp' }).then(
        (res) => reply(encodeScrape(req.transactionId, res), rinfo),
        (err) => refuse(msg, rinfo, err),
      );
    } catch (err) {
      refuse(msg, rinfo, err);
    }
  };
  socket.on('message', onMessage);
  socket.on('error', (err) => log.warn(`udp: socket error: ${err.message}`));
  return onMessage;
}

const IPV4 = { ipv6: false };
const IPV6 = { ipv6: true };

function announceAnswer(tid: number, ip: Buffer, res: AnnounceResponse): Buffer {
  return encodeAnnounce(tid, res, ip.length === 4 ? IPV4 : IPV6);
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
