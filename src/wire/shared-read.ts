/**
 * Reading TCP peers into one shared buffer (Node's `net.connect({ onread })`) instead of a fresh
 * buffer per read.
 *
 * A socket in flowing mode hands each read to JavaScript in a newly allocated buffer: at 64 KiB a
 * read, a 1 GiB download is 16,384 allocations of external memory, each freed by the garbage
 * collector, and on loopback that costs more CPU than the reads themselves (BEP 3 peers send
 * 16 KiB blocks back to back, so nearly all the bytes are blocks). With `onread`, libuv reads into
 * `buffer` and the callback hands the bytes to the connection, which must use or copy them before it
 * returns: `PeerConnection` queues them as a transient chunk (`ChunkQueue`), passes a piece's block to
 * its listener as a view (the engine copies it into its write buffer at once), copies every other
 * message, and copies the unfinished tail of the read. One buffer serves every socket: reads are
 * delivered one at a time on the main thread.
 *
 * Only sockets we open can read this way (`net.Server` has no `onread`); accepted sockets use the
 * ordinary `data` events.
 */

/** Bytes read at most per callback. */
export const SHARED_READ_SIZE = 256 * 1024;

let shared: Buffer | undefined;

/** The `onread` option of `net.connect`, and where the connection plugs in its receiver. */
export interface SharedRead {
  buffer: Uint8Array;
  callback: (bytes: number, buffer: Uint8Array) => boolean;
  /** Set by `PeerConnection`: takes the bytes read, valid only during the call. */
  deliver?: ((chunk: Buffer) => void) | undefined;
}

/** A fresh `onread` for one socket, reading into the process's shared buffer. */
export function sharedRead(): SharedRead {
  shared ??= Buffer.allocUnsafeSlow(SHARED_READ_SIZE);
  const buffer = shared;
  const read: SharedRead = {
    buffer,
    callback: (bytes) => {
      read.deliver?.(buffer.subarray(0, bytes));
      return true;
    },
  };
  return read;
}
