/**
 * Reusable read buffers for the upload path (BEP 3 `piece` messages are sent as views of them).
 *
 * Reading each window of a piece into a freshly allocated buffer costs more than the read itself:
 * new memory is zero-filled, faulted in page by page, and later collected (the first profile of
 * our seeder showed `Buffer.alloc`, the kernel's page faults inside `read` and the garbage
 * collector above half of its busy time). The engine keeps one pool of freed windows instead,
 * shared by every torrent, in power-of-two size classes from 16 KiB, holding at most
 * `POOL_BYTES` of free buffers (an idle engine holds nothing more than that, whatever the number
 * of torrents).
 *
 * A buffer is returned to the pool only once nothing refers to it: the uploader counts the
 * reads waiting on a window and the socket writes of its views (see `session-upload.ts`).
 */

const MIN_CLASS = 16 * 1024;
/** Free buffers kept for reuse, all classes together. */
export const POOL_BYTES = 64 * 1024 * 1024;

const free = new Map<number, Buffer[]>();
let freeBytes = 0;

function sizeClass(length: number): number {
  let size = MIN_CLASS;
  while (size < length) size *= 2;
  return size;
}

/** A buffer of at least `length` bytes (contents undefined): from the pool, or new. */
export function takeBuffer(length: number): Buffer {
  const size = sizeClass(length);
  const list = free.get(size);
  const buf = list?.pop();
  if (buf) {
    freeBytes -= size;
    return buf;
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Give back a buffer from `takeBuffer` that nothing refers to any more. */
export function returnBuffer(buf: Buffer): void {
  const size = buf.length;
  if (size !== sizeClass(size) || freeBytes + size > POOL_BYTES) return; // the GC takes it
  const list = free.get(size);
  if (list) list.push(buf);
  else free.set(size, [buf]);
  freeBytes += size;
}

/** Bytes held by free buffers (for tests and stats). */
export function pooledBytes(): number {
  return freeBytes;
}
