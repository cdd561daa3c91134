/**
 * Safe file paths inside a torrent (BEP 3 `path`, BEP 52 `file tree`, BEP 47 `symlink path`).
 *
 * A torrent names the files a client will create, so every component is checked before anything
 * can touch a disk: no empty components, no `.` or `..`, no separators or NUL or control characters
 * inside a component, no drive letters, no names Windows reserves for devices (CON, NUL, COM1...).
 * An unsafe path is a `TORRENT_UNSAFE_PATH` error that says which path and why.
 */

import { SeedcastError } from '../errors.js';

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_COMPONENT_BYTES = 255;

/** Why `component` is not a safe path component, or undefined when it is safe. */
export function unsafeComponentReason(component: string): string | undefined {
  if (component.length === 0) return 'empty component';
  if (component === '.' || component === '..') return `"${component}" component`;
  if (component.includes('/') || component.includes('\\')) return 'separator inside a component';
  if (CONTROL.test(component)) return 'control character';
  if (/^[A-Za-z]:/.test(component)) return 'drive letter';
  if (RESERVED.test(component)) return `reserved name "${component}"`;
  if (Buffer.byteLength(component) > MAX_COMPONENT_BYTES)
    return `component longer than ${MAX_COMPONENT_BYTES} bytes`;
  return undefined;
}

/** Throw TORRENT_UNSAFE_PATH unless every component of `path` is safe. */
export function assertSafePath(path: readonly string[], what = 'file path'): void {
  if (path.length === 0) throw new SeedcastError('TORRENT_UNSAFE_PATH', `${what} is empty`);
  for (const component of path) {
    const reason = unsafeComponentReason(component);
    if (reason) {
      throw new SeedcastError('TORRENT_UNSAFE_PATH', `${what} ${JSON.stringify(path.join('/'))}: ${reason}`);
    }
  }
}
