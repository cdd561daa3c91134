/**
 * Making uploaded file names safe: a client's `filename` is only a hint. The last path component is
 * kept (no folders, no `..`, no absolute or drive paths), control characters are dropped, a leading
 * dot becomes `_` (no hidden files), long names are cut keeping the extension, and names the torrent
 * rules still refuse (reserved device names...) fall back to `file-N`. Duplicates get ` (2)`, ` (3)`.
 */

import { unsafeComponentReason } from '../torrent/index.js';

const MAX_BYTES = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function cut(name: string): string {
  if (Buffer.byteLength(name) <= MAX_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = name.slice(0, name.length - ext.length);
  while (Buffer.byteLength(stem + ext) > MAX_BYTES) stem = [...stem].slice(0, -1).join('');
  return stem + ext;
}

/** A safe single path component for the `index`-th uploaded file (0-based). */
export function safeFileName(raw: string | undefined, index: number): string {
  const last = (raw ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  let name = cut(
    last
      .replace(CONTROL, '')
      .trim()
      .replace(/^\.+/, (dots) => '_'.repeat(dots.length)),
  );
  if (name === '' || /^_+$/.test(name) || unsafeComponentReason(name)) name = `file-${index + 1}`;
  return name;
}

/** Names made unique (case-insensitively, as on many file systems) by ` (n)` before the extension. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; seen.has(candidate.toLowerCase()); n++) {
      const dot = name.lastIndexOf('.');
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}
