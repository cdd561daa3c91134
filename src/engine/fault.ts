/**
 * Fault isolation for the engine: what a failure is charged to, so that a hostile peer, a bad disk or
 * a broken blob costs one peer or one torrent, never the process.
 *
 * - A peer's fault (a malformed or out-of-protocol message, blocks never asked for, bad pieces):
 *   the session drops or bans that peer.
 * - A store's fault (EIO, ENOSPC, EROFS, a read-only or missing blob...): the session that owns the
 *   store fails (`TorrentSession.fail`): it stops, says why (`failed` event, `failure`), and the
 *   engine's other sessions carry on.
 * - Anything that still escapes to the process (`unhandledRejection`, `uncaughtException`) goes to the
 *   last-resort handler of the long-running commands, which calls `failOwner`: an error that passed
 *   through a session's store is tagged with that session, so the handler fails that one session.
 */

import { isSeedcastError } from '../errors.js';
import type { PieceStore } from './file-store.js';

/** What can be failed: a session. */
export interface Failable {
  fail(err: Error): void;
}

const owners = new WeakMap<object, Failable>();

/** Remember that `err` arose in `owner` (a session's store), for the last-resort handler. */
export function tagError(err: unknown, owner: Failable): void {
  if (err !== null && typeof err === 'object' && !owners.has(err)) owners.set(err, owner);
}

/** The session `err` arose in, if it was tagged. */
export function ownerOf(err: unknown): Failable | undefined {
  return err !== null && typeof err === 'object' ? owners.get(err) : undefined;
}

/** Fail the session `err` is tagged with; true when there was one. */
export function failOwner(err: unknown): boolean {
  const owner = ownerOf(err);
  if (!owner) return false;
  owner.fail(err instanceof Error ? err : new Error(String(err)));
  return true;
}

const TRANSIENT_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EAGAIN', 'EPIPE']);

/**
 * True for a store error worth retrying later (an object store briefly unavailable, a network blip):
 * an upload skips the block instead of failing the torrent. Disk errors (EIO, ENOSPC...) are not.
 */
export function isTransient(err: unknown): boolean {
  if (isSeedcastError(err, 'STORAGE_UNAVAILABLE')) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** A short description of an error for logs: its code (when it has one) and message. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/** `store` with every error tagged with `session` (so the last-resort handler can fail it). */
export function guardedStore(store: PieceStore, session: Failable): PieceStore {
  const tag = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      tagError(err, session);
      throw err;
    });
  return {
    ...(store.readOnly !== undefined ? { readOnly: store.readOnly } : {}),
    read: (offset, length, into) => tag(store.read(offset, length, into)),
    write: (offset, data) => tag(store.write(offset, data)),
    close: () => tag(store.close()),
    ...(store.isEmpty ? { isEmpty: () => tag(store.isEmpty!()) } : {}),
    ...(store.createEmpty ? { createEmpty: () => tag(store.createEmpty!()) } : {}),
  };
}

/** `1, 2, 5..9` for a list of piece indexes (at most 20 runs shown). */
export function summarize(indexes: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    runs.push(i === j ? `${indexes[i]}` : `${indexes[i]}..${indexes[j]}`);
    i = j + 1;
  }
  return runs.length > 20 ? `${runs.slice(0, 20).join(', ')}, ...` : runs.join(', ');
}
