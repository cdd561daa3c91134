/**
 * Coalescing a connection's writes per event-loop turn (BEP 3 messages are small: a `have` is 9
 * bytes, a `request` 17). The first write to a stream in a turn corks it and the stream is uncorked
 * once the turn's I/O callbacks have run (`setImmediate`), so every message written to one peer in
 * that turn (the `have`s of pieces just verified, the requests answering them, blocks of a read
 * batch and their headers) leaves in one `writev` instead of one syscall each, as libtorrent writes
 * its send buffer once per turn of its event loop. Nothing waits longer than the current turn.
 *
 * Nested `cork()`/`uncork()` pairs (a corked batch inside the turn) are counted by the stream and
 * stay balanced; `writableNeedDrain` still reports a full buffer, so senders that wait for `drain`
 * behave as before (the turn's writes are flushed, then `drain` fires). A connection closed in the
 * middle of a turn flushes first (`flushTurn`), so what it wrote before closing still goes out.
 */

import type { Duplex } from 'node:stream';

const corked = new WeakSet<Duplex>();

/** Cork `stream` until the end of this event-loop turn, unless already done in this turn. */
export function corkForTurn(stream: Duplex): void {
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => flushTurn(stream));
}

/** Send what `stream` holds for this turn now (before destroying it: a destroyed stream drops it). */
export function flushTurn(stream: Duplex): void {
  if (corked.delete(stream)) stream.uncork();
}
