/**
 * The streaming message framer (BEP 3): socket chunks in, decoded messages out.
 *
 * Each message is `<length: uint32 BE><id><payload>`. The framer reads the length prefix and the id
 * as soon as they arrive and refuses a message whose declared length breaks a limit *before* its body
 * is buffered, so a hostile peer can make it hold at most one message of the allowed size:
 *   - fixed-size messages must have exactly their size (`WIRE_MALFORMED`);
 *   - a piece may carry at most `maxBlockLength` bytes of block (`WIRE_OVERSIZE`);
 *   - anything else (bitfield, extended, unknown ids) at most `maxMessageLength` bytes (`WIRE_OVERSIZE`).
 * Messages that lie inside one received chunk are returned as views of it; only a message that spans
 * chunks is copied, once (see `ChunkQueue`). When the chunk is transient (a reused read buffer), only
 * a piece's block stays a view of it (valid until the listener returns); every other message's bytes
 * are copied, as its listener may keep them.
 */

import { SeedcastError } from '../errors.js';
import type { ChunkQueue } from './chunks.js';
import { BLOCK_LENGTH, type Message, MessageId } from './messages.js';
import { checkFrameLength, parseFrame } from './parse.js';

export interface FrameLimits {
  /** Largest block in a piece message, and in a request (default 16 KiB). */
  maxBlockLength?: number;
  /** Largest other message, id included: bitfield, extended, unknown (default 2 MiB). */
  maxMessageLength?: number;
}

export const DEFAULT_MAX_MESSAGE_LENGTH = 2 * 1024 * 1024;

export class MessageFramer {
  private readonly maxPieceFrame: number;
  private readonly maxMessageLength: number;

  constructor(
    private readonly queue: ChunkQueue,
    limits: FrameLimits = {},
  ) {
    this.maxPieceFrame = 9 + (limits.maxBlockLength ?? BLOCK_LENGTH);
    this.maxMessageLength = limits.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }

  /** The next complete message, or `null` until more bytes arrive. Throws on a message breaking a limit. */
  next(): Message | null {
    const queue = this.queue;
    if (queue.length < 4) return null;
    const length = queue.uint32At(0);
    if (length === 0) {
      queue.skip(4);
      return { type: 'keepAlive' };
    }
    if (length > this.maxPieceFrame && length > this.maxMessageLength) {
      throw new SeedcastError('WIRE_OVERSIZE', `message of ${length} bytes`);
    }
    if (queue.length < 5) return null;
    const id = queue.byteAt(4);
    checkFrameLength(id, length);
    const limit = id === MessageId.piece ? this.maxPieceFrame : this.maxMessageLength;
    if (length > limit) {
      throw new SeedcastError('WIRE_OVERSIZE', `message id ${id} of ${length} bytes, the limit is ${limit}`);
    }
    if (queue.length < 4 + length) return null;
    if (id === MessageId.piece) {
      // The most common message: its header read in place, its block one view (parse.ts's layout).
      const index = queue.uint32At(5);
      const begin = queue.uint32At(9);
      queue.skip(13);
      return { type: 'piece', index, begin, block: queue.take(length - 9) };
    }
    queue.skip(4);
    return parseFrame(queue.takeOwned(length));
  }
}
