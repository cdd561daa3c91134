/**
 * BEP 15 connection ids that cannot be forged and expire, without keeping any state: the id given
 * to a client is the first 8 bytes of HMAC-SHA256(key, slot || port || address), where `key` is 32
 * random bytes drawn when the tracker starts, `slot` the current minute (u32, big-endian), `port`
 * the client's UDP port (u16, big-endian) and `address` its 4 or 16 address bytes. An id is accepted
 * in its own minute and the two after, so it lives 2 to 3 minutes (BEP 15 asks for at least 2); a
 * spoofed source address never sees the id, so it cannot announce for somebody else.
 *
 * Ids this process has computed (issued, or verified by recomputing) are remembered for their
 * lifetime with the address, port and minute they were computed for, so a client's announces after
 * its connect cost a map lookup instead of an HMAC. The memory is bounded (cleared when full).
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ConnectionIdOptions {
  /** The secret (default: 32 fresh random bytes). */
  key?: Buffer;
  /** Milliseconds since the epoch (tests move it). */
  clock?: () => number;
}

const SLOT_MS = 60_000;
const SLOTS_ACCEPTED = 3;
const CACHE_MAX = 100_000;

interface Known {
  /** The id's two 32-bit halves. */
  hi: number;
  lo: number;
  ip: Buffer;
  port: number;
  slot: number;
}

/** The cache key of an id: 30 bits of it (a small integer, no allocation); entries hold the rest. */
function cacheKey(lo: number): number {
  return lo >>> 2;
}

/** Told of every id issued or verified: where it was issued to and in which minute. */
export type ConnectionIdListener = (id: Uint8Array, ip: Buffer, port: number, minute: number) => void;

export class ConnectionIds {
  /**
   * Told of each id issued, and of each id verified (so a listener added late learns the ids in
   * use): the native UDP fast path keeps them to check announces itself. Only with the wall clock.
   */
  onRemember: ConnectionIdListener | undefined;
  /** The clock is the wall clock (no `clock` option). */
  readonly wallClock: boolean;
  private readonly key: Buffer;
  private readonly clock: () => number;
  private readonly input = Buffer.alloc(4 + 2 + 16);
  private readonly known = new Map<number, Known>();

  constructor(options: ConnectionIdOptions = {}) {
    this.key = options.key ?? randomBytes(32);
    this.clock = options.clock ?? Date.now;
    this.wallClock = options.clock === undefined;
  }

  /** A connection id for this address and port (8 bytes). */
  issue(ip: Buffer, port: number): Buffer {
    const slot = Math.floor(this.clock() / SLOT_MS);
    const id = this.compute(slot, ip, port);
    this.remember(id, ip, port, slot);
    return id;
  }

  /** Whether `id` (8 bytes) was issued to this address and port within the last 2 to 3 minutes. */
  verify(id: Uint8Array, ip: Buffer, port: number): boolean {
    if (id.length !== 8) return false;
    const slot = Math.floor(this.clock() / SLOT_MS);
    const hi = ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0;
    const lo = ((id[4]! << 24) | (id[5]! << 16) | (id[6]! << 8) | id[7]!) >>> 0;
    const known = this.known.get(cacheKey(lo));
    if (
      known &&
      known.hi === hi &&
      known.lo === lo &&
      slot - known.slot < SLOTS_ACCEPTED &&
      known.port === port &&
      known.ip.equals(ip)
    ) {
      if (this.onRemember) this.onRemember(id, ip, port, known.slot);
      return true;
    }
    for (let i = 0; i < SLOTS_ACCEPTED; i++) {
      if (timingSafeEqual(this.compute(slot - i, ip, port), id)) {
        this.remember(Buffer.from(id), ip, port, slot - i);
        return true;
      }
    }
    return false;
  }

  private remember(id: Buffer, ip: Buffer, port: number, slot: number): void {
    if (this.known.size >= CACHE_MAX) this.known.clear();
    const lo = id.readUInt32BE(4);
    this.known.set(cacheKey(lo), { hi: id.readUInt32BE(0), lo, ip: Buffer.from(ip), port, slot });
    if (this.onRemember) this.onRemember(id, ip, port, slot);
  }

  private compute(slot: number, ip: Buffer, port: number): Buffer {
    const input = this.input;
    input.writeUInt32BE(slot >>> 0, 0);
    input.writeUInt16BE(port, 4);
    ip.copy(input, 6);
    return createHmac('sha256', this.key)
      .update(input.subarray(0, 6 + ip.length))
      .digest()
      .subarray(0, 8);
  }
}
