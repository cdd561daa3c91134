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
  ip: Buffer;
  port: number;
  slot: number;
}

export class ConnectionIds {
  private readonly key: Buffer;
  private readonly clock: () => number;
  private readonly input = Buffer.alloc(4 + 2 + 16);
  private readonly known = new Map<string, Known>();

  constructor(options: ConnectionIdOptions = {}) {
    this.key = options.key ?? randomBytes(32);
    this.clock = options.clock ?? Date.now;
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
    const key = Buffer.isBuffer(id)
      ? id.toString('latin1', 0, 8)
      : Buffer.from(id.buffer, id.byteOffset, 8).toString('latin1');
    const known = this.known.get(key);
    if (known && slot - known.slot < SLOTS_ACCEPTED && known.port === port && known.ip.equals(ip))
      return true;
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
    this.known.set(id.toString('latin1'), { ip: Buffer.from(ip), port, slot });
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
