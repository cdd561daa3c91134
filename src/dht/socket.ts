/**
 * The DHT's UDP socket: a `dgram`-shaped object handed to `bittorrent-dht` (through k-rpc-socket's
 * `socket` option), so every datagram in and out passes our rules first (BEP 5, BEP 42):
 *
 * - in: past a coarse per-address and overall datagram rate (checked before any parsing), datagrams
 *   are parsed and re-encoded by `krpc.ts` (malformed ones dropped); queries pass the per-address
 *   rate limit (`rate-limit.ts`); responses and errors are accepted only from the node
 *   and transaction id we queried (no unsolicited responses to pollute the routing table); nodes and
 *   peers named in responses are kept only at addresses the outbound policy allows; queries from
 *   addresses the policy refuses are not answered;
 * - out: nothing is sent to an address the outbound policy refuses (except the bootstrap nodes the
 *   operator named); a query refused that way fails at once with a KRPC error instead of timing
 *   out; responses carry the requester's address as `ip` (BEP 42), and the `ip` of responses we
 *   receive is reported to `onExternalAddress`.
 */

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { decode, encode, isBytes, isDict } from '../bencode/index.js';
import type { OutboundPolicy } from '../net/index.js';
import { type Address, compact, parseKrpc } from './krpc.js';
import { QueryRateLimit, type RateLimitOptions } from './rate-limit.js';

export interface DhtSocketOptions {
  /** Addresses refused by the policy get no packet (absent: any address). */
  policy?: OutboundPolicy;
  /** Nodes exempt from `policy` (the bootstrap nodes the operator named), as `host:port`. */
  trusted?: ReadonlySet<string>;
  rateLimit?: RateLimitOptions;
  /** Called with (who told us, our address as they see it) for each response carrying `ip`. */
  onExternalAddress?: (voter: string, address: Address) => void;
  log?: (message: string) => void;
}

/** Counters of what the socket dropped (for logs and tests). */
export interface DhtSocketStats {
  received: number;
  malformed: number;
  rateLimited: number;
  unsolicited: number;
  refused: number;
  sent: number;
}

const MAX_OUTSTANDING = 4096;
const OUTSTANDING_MS = 30_000;

export class DhtSocket extends EventEmitter {
  private readonly udp: Socket;
  private readonly limit: QueryRateLimit;
  /** Before parsing anything: datagrams per address and overall, so a flood costs no parsing. */
  private readonly flood = new QueryRateLimit({
    perSecond: 100,
    burst: 200,
    globalPerSecond: 5000,
    blockAfter: 1000,
  });
  /** Queries we sent and await an answer to: `host:port:tid` -> when they expire. */
  private readonly outstanding = new Map<string, number>();
  readonly stats: DhtSocketStats = {
    received: 0,
    malformed: 0,
    rateLimited: 0,
    unsolicited: 0,
    refused: 0,
    sent: 0,
  };
  private closed = false;

  constructor(private readonly options: DhtSocketOptions = {}) {
    super();
    this.limit = new QueryRateLimit(options.rateLimit);
    this.udp = createSocket({ type: 'udp4' });
    this.udp.on('message', (buf, rinfo) => this.receive(buf, rinfo));
    this.udp.on('error', (err) => options.log?.(`dht socket: ${err.message}`));
  }

  /** Bind the UDP port (resolves with the port bound). */
  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this.closed = true;
        this.udp.close();
        reject(err);
      };
      this.udp.once('error', onError);
      this.udp.bind({ port, ...(host ? { address: host } : {}), exclusive: true }, () => {
        this.udp.off('error', onError);
        resolve(this.udp.address().port);
      });
    });
  }

  /** Is `host:port` one we may send to? */
  allows(host: string, port: number): boolean {
    const { policy, trusted } = this.options;
    return !policy || policy.allowsAddress(host) || trusted?.has(`${host}:${port}`) === true;
  }

  /** One datagram in: parse, limit, match, then hand the clean message to the library. */
  receive(buf: Buffer, rinfo: RemoteInfo): void {
    if (this.closed || rinfo.family !== 'IPv4' || rinfo.port === 0) return;
    this.stats.received++;
    if (!this.flood.allow(rinfo.address)) {
      this.stats.rateLimited++;
      return;
    }
    const { policy } = this.options;
    const msg = parseKrpc(buf, policy ? (a) => policy.allowsAddress(a.host) : undefined);
    if (!msg) {
      this.stats.malformed++;
      return;
    }
    if (msg.y === 'q') {
      if (!this.allows(rinfo.address, rinfo.port)) {
        this.stats.refused++;
        return;
      }
      if (!this.limit.allow(rinfo.address)) {
        this.stats.rateLimited++;
        return;
      }
    } else {
      if (!this.outstanding.delete(`${rinfo.address}:${rinfo.port}:${msg.t.toString('hex')}`)) {
        this.stats.unsolicited++;
        return;
      }
      if (msg.y === 'r' && msg.ip) this.options.onExternalAddress?.(rinfo.address, msg.ip);
    }
    this.deliver(msg.message, rinfo);
  }

  private deliver(message: Buffer, rinfo: RemoteInfo): void {
    try {
      this.emit('message', message, rinfo);
    } catch (err) {
      // The library threw on a message we let through: drop that message, keep the node running.
      this.options.log?.(`dht: message from ${rinfo.address}:${rinfo.port}: ${(err as Error).message}`);
    }
  }

  /** `dgram.Socket.send`'s form that k-rpc-socket uses. */
  send(
    buf: Buffer,
    offset: number,
    length: number,
    port: number,
    host: string,
    callback?: (err: Error | null) => void,
  ): void {
    if (this.closed) return;
    let data = buf.subarray(offset, offset + length);
    const tid = outgoingQueryTid(data);
    if (!this.allows(host, port)) {
      this.stats.refused++;
      this.options.log?.(`dht: not contacting ${host}:${port}: refused by the outbound policy`);
      // Fail the query at once rather than after its timeout.
      if (tid) setImmediate(() => this.refusedQuery(tid, host, port));
      callback?.(null);
      return;
    }
    if (tid) this.remember(`${host}:${port}:${tid.toString('hex')}`);
    // A response (keys "r", "t", "y"): add our view of the requester's address, `ip` (BEP 42). Keys are
    // sorted, and "ip" comes before "r", so it goes right after the opening "d".
    else if (data.subarray(0, 4).toString('latin1') === 'd1:r')
      data = Buffer.concat([Buffer.from('d2:ip6:', 'latin1'), compact({ host, port }), data.subarray(1)]);
    this.stats.sent++;
    this.udp.send(data, port, host, (err) => callback?.(err ?? null));
  }

  private refusedQuery(tid: Buffer, host: string, port: number): void {
    if (this.closed) return;
    const message = encode({ t: tid, y: 'e', e: [201, 'refused by the outbound policy'] });
    this.deliver(message, { address: host, port, family: 'IPv4', size: message.length });
  }

  private remember(key: string): void {
    const now = Date.now();
    for (const [k, expires] of this.outstanding) {
      if (expires > now && this.outstanding.size < MAX_OUTSTANDING) break;
      this.outstanding.delete(k);
    }
    this.outstanding.set(key, now + OUTSTANDING_MS);
  }

  address(): { address: string; family: string; port: number } {
    return this.udp.address();
  }

  /** The library binds through this; we bind ourselves before (see `listen`). */
  bind(): void {}

  /** Close the UDP socket (the library's `destroy` calls this); emits `close`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp.close(() => this.emit('close'));
  }
}

/** The transaction id of a query we are about to send (keys "a", "q", "t", "y"), else undefined. */
function outgoingQueryTid(data: Buffer): Buffer | undefined {
  if (data.subarray(0, 4).toString('latin1') !== 'd1:a') return undefined;
  try {
    const m = decode(data, { maxSize: 65536, maxDepth: 8 });
    const t = isDict(m) ? m.get('t') : undefined;
    return isBytes(t) ? Buffer.from(t) : undefined;
  } catch {
    return undefined;
  }
}
