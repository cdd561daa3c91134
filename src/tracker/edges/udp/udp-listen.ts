/**
 * Binds the tracker's UDP side (BEP 15) for `startTracker` and `seedcast serve`: the batched native
 * socket (`udp-batch.ts`) where it works and the host is an IP address, Node's `dgram` otherwise.
 * `io` (or `SEEDCAST_UDP=batch|dgram`) forces one; forcing `batch` where it cannot work is an error.
 */

import { createSocket, type Socket } from 'node:dgram';
import { type LookupOneOptions, lookup } from 'node:dns';
import { once } from 'node:events';
import { type AddressInfo, isIP } from 'node:net';
import { SeedcastError } from '../../../errors.js';
import type { TrackerService } from '../../service/service.js';
import { serveUdpBatch, udpBatchSupport } from './udp-batch.js';
import { serveUdp, type UdpEdgeOptions } from './udp-server.js';

export type UdpIo = 'auto' | 'batch' | 'dgram';

export interface UdpListenOptions extends UdpEdgeOptions {
  /** Which socket to use (default: `SEEDCAST_UDP`, else `auto`). */
  io?: UdpIo;
}

export interface UdpListener {
  port: number;
  /** The socket in use. */
  io: 'batch' | 'dgram';
  close(): Promise<void>;
}

/** The socket `options.io` and `SEEDCAST_UDP` ask for, checked against what works here. */
export function chooseUdpIo(host: string, io?: UdpIo): 'batch' | 'dgram' {
  const wanted = io ?? parseIo(process.env.SEEDCAST_UDP);
  if (wanted === 'dgram') return 'dgram';
  const support = udpBatchSupport();
  const literal = isIP(host) !== 0;
  if (wanted === 'batch') {
    if (!support.ok) throw new SeedcastError('TRACKER_UDP_UNAVAILABLE', support.reason);
    if (!literal) throw new SeedcastError('TRACKER_UDP_UNAVAILABLE', `${host} is not an IP address`);
    return 'batch';
  }
  return support.ok && literal ? 'batch' : 'dgram';
}

function parseIo(value: string | undefined): UdpIo {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'batch' || value === 'dgram') return value;
  throw new SeedcastError(
    'TRACKER_UDP_UNAVAILABLE',
    `SEEDCAST_UDP must be auto, batch or dgram, not ${value}`,
  );
}

/** Binds `host`:`port` (0: any free port) and serves BEP 15 there. */
export async function listenUdpTracker(
  host: string,
  port: number,
  service: TrackerService,
  options: UdpListenOptions = {},
): Promise<UdpListener> {
  if (chooseUdpIo(host, options.io) === 'batch') {
    const socket = serveUdpBatch(host, port, service, options);
    return {
      port: socket.port,
      io: 'batch',
      async close() {
        socket.close();
      },
    };
  }
  const socket = await bindUdp(host, port);
  serveUdp(socket, service, options);
  return {
    port: (socket.address() as AddressInfo).port,
    io: 'dgram',
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * Answers go to the literal address each datagram came from: resolve literals at once (Node's
 * default lookup defers every send by a tick), names through DNS as usual.
 */
function literalFirst(host: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(host);
  if (family) callback(null, host, family);
  else lookup(host, options, callback);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

async function bindUdp(host: string, port: number): Promise<Socket> {
  const socket = createSocket({
    type: host.includes(':') ? 'udp6' : 'udp4',
    recvBufferSize: 4 << 20,
    lookup: literalFirst,
  });
  // Listen first: with a synchronous lookup, bind() may emit 'listening' before it returns.
  const ready = Promise.race([
    once(socket, 'listening'),
    once(socket, 'error').then(([e]) => Promise.reject(e)),
  ]);
  socket.bind(port, host);
  await ready;
  return socket;
}
