/**
 * A WebRTC data channel (RFC 8831, W3C WebRTC `RTCDataChannel`) as a Node `Duplex`, so the peer wire
 * protocol (BEP 3) runs over it exactly as over a TCP socket: this is how WebTorrent peers carry
 * BitTorrent.
 *
 * - Writes are sent as binary messages of at most `maxMessage` bytes (16 KiB by default: the size every
 *   browser accepts in one message; the transport passes the remote's `a=max-message-size`). `cork()`ed writes arrive together in `_writev` and are coalesced,
 *   so a batch of small messages (requests, haves) becomes few data channel messages.
 * - Backpressure: a write completes at once while the channel's `bufferedAmount` is at most
 *   `bufferLimit`; above it, the write's callback waits for `bufferedamountlow` (the threshold is half
 *   the limit), so `write()` returns false and `drain` comes as the channel empties, as with a socket.
 *   The buffer is also polled while a write waits (every `POLL_MS`): `@roamhq/wrtc` 0.10 does not
 *   always fire `bufferedamountlow` (a 64 MiB transfer stalled with the buffer empty).
 * - Reading: every message (`binaryType = 'arraybuffer'`) is pushed as a Buffer. A text message is not
 *   BitTorrent: the stream is destroyed with an error.
 * - The channel closing ends the readable side and destroys the stream; a channel error destroys it
 *   with that error; destroying the stream closes the channel and calls `onClose` (the transport
 *   closes the `RTCPeerConnection` there).
 */

import { Duplex } from 'node:stream';

/** The part of `RTCDataChannel` used here (structural: `@roamhq/wrtc` and browsers both fit). */
export interface DataChannelLike {
  readonly readyState: string;
  binaryType: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onbufferedamountlow: ((event: unknown) => void) | null;
  send(data: ArrayBufferView): void;
  close(): void;
}

export interface DataChannelStreamOptions {
  /** Largest message sent (default 16 KiB). */
  maxMessage?: number;
  /** Bytes queued in the channel before writes wait (default 1 MiB). */
  bufferLimit?: number;
  /** Called once when the stream is destroyed (the owner closes its RTCPeerConnection). */
  onClose?: () => void;
}

const MAX_MESSAGE = 16 * 1024;
const BUFFER_LIMIT = 1024 * 1024;
const POLL_MS = 10;

export class DataChannelStream extends Duplex {
  private readonly maxMessage: number;
  private readonly bufferLimit: number;
  private waiting: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closeHook: (() => void) | undefined;

  constructor(
    readonly channel: DataChannelLike,
    options: DataChannelStreamOptions = {},
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.maxMessage = options.maxMessage ?? MAX_MESSAGE;
    this.bufferLimit = options.bufferLimit ?? BUFFER_LIMIT;
    this.closeHook = options.onClose;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = Math.floor(this.bufferLimit / 2);
    channel.onbufferedamountlow = () => this.wake();
    channel.onmessage = (event) => this.onMessage(event.data);
    channel.onclose = () => {
      this.wake();
      this.push(null);
      this.destroy();
    };
    channel.onerror = (event) => this.destroy(channelError(event));
  }

  private onMessage(data: unknown): void {
    if (this.destroyed) return;
    if (data instanceof ArrayBuffer) this.push(Buffer.from(data));
    else if (ArrayBuffer.isView(data)) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.destroy(new Error('data channel: a text message is not BitTorrent'));
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    waiting?.();
  }

  /** Run `then` once the channel's buffer is down to its low threshold (event or poll). */
  private waitForRoom(then: () => void): void {
    this.waiting = then;
    this.poll = setInterval(() => {
      if (this.channel.bufferedAmount <= this.channel.bufferedAmountLowThreshold) this.wake();
    }, POLL_MS);
    this.poll.unref();
  }

  override _read(): void {
    // Data channels have no read-side flow control: messages are pushed as they come.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendAll(chunk, callback);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.sendAll(
      chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)),
      callback,
    );
  }

  private sendAll(bytes: Buffer, callback: (error?: Error | null) => void): void {
    if (this.channel.readyState !== 'open') {
      callback(new Error(`data channel is ${this.channel.readyState}`));
      return;
    }
    try {
      for (let at = 0; at < bytes.byteLength; at += this.maxMessage) {
        this.channel.send(bytes.subarray(at, Math.min(bytes.byteLength, at + this.maxMessage)));
      }
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (this.channel.bufferedAmount <= this.bufferLimit) callback();
    else this.waitForRoom(() => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Let what is queued leave before closing the channel.
    const close = () => {
      this.channel.close();
      callback();
    };
    if (this.channel.bufferedAmount === 0 || this.channel.readyState !== 'open') {
      close();
      return;
    }
    this.channel.bufferedAmountLowThreshold = 0;
    this.waitForRoom(close);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const { channel } = this;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.waiting = undefined;
    channel.onmessage = null;
    channel.onbufferedamountlow = null;
    channel.onclose = null;
    channel.onerror = null;
    if (channel.readyState === 'open' || channel.readyState === 'connecting') {
      try {
        channel.close();
      } catch {
        // already closing
      }
    }
    const hook = this.closeHook;
    this.closeHook = undefined;
    hook?.();
    callback(error);
  }
}

/** The Error in an `RTCErrorEvent` (or a plain error event). */
function channelError(event: unknown): Error {
  const e = event as { error?: unknown; message?: unknown } | undefined;
  if (e?.error instanceof Error) return e.error;
  return new Error(`data channel error${typeof e?.message === 'string' ? `: ${e.message}` : ''}`);
}
