/**
 * Where the aggregator keeps things, and safe names for them. Everything lives under `$SEEDCAST_HOME`
 * (default `~/.seedcast`): `state.json`, `library/<feed>/<item>` for media, `torrents/<infohash>.torrent`
 * for the metainfo of what is seeded. File names come from feed titles, which anyone can write, so they
 * are reduced to a safe single path component (no separators, control characters, leading dots,
 * reserved device names; at most 120 bytes) and every path is checked to stay inside its folder.
 */

import { homedir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { SeedcastError } from '../errors.js';
import { unsafeComponentReason } from '../torrent/index.js';

/** `$SEEDCAST_HOME`, or `~/.seedcast`. */
export function seedcastHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.SEEDCAST_HOME;
  return resolve(home && home.length > 0 ? home : join(homedir(), '.seedcast'));
}

export function libraryDir(home: string): string {
  return join(home, 'library');
}

export function torrentsDir(home: string): string {
  return join(home, 'torrents');
}

const MAX_NAME_BYTES = 120;

function truncateBytes(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * A safe file or folder name from `title`: path separators and characters Windows forbids become
 * spaces, control characters go, whitespace collapses, leading dots and trailing dots/spaces go,
 * reserved names get a suffix. Never empty (`fallback`).
 */
export function safeName(title: string, options: { fallback?: string; maxBytes?: number } = {}): string {
  let name = title
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[/\\:*?"<>|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  name = truncateBytes(name, options.maxBytes ?? MAX_NAME_BYTES).replace(/[.\s]+$/, '');
  if (name.length === 0) name = options.fallback ?? 'untitled';
  if (unsafeComponentReason(name)) name = `${name}_`;
  if (unsafeComponentReason(name)) name = 'untitled';
  return name;
}

/** A safe extension (".mp3") from a URL path or a file name, or from a MIME type; "" when unknown. */
export function safeExtension(nameOrUrl: string | undefined, mimeType?: string): string {
  let path = nameOrUrl ?? '';
  try {
    path = decodeURIComponent(new URL(path).pathname);
  } catch {
    // not a URL: a plain name
  }
  const ext = extname(path).toLowerCase();
  if (/^\.[a-z0-9]{1,8}$/.test(ext)) return ext;
  const byType: Record<string, string> = {
    'audio/mpeg': '.mp3',
    'audio/mp4': '.m4a',
    'audio/x-m4a': '.m4a',
    'audio/ogg': '.ogg',
    'audio/opus': '.opus',
    'video/mp4': '.mp4',
    'video/webm': '.webm',
    'video/x-matroska': '.mkv',
    'application/pdf': '.pdf',
  };
  return (mimeType && byType[mimeType]) || '';
}

/** `resolve(root, ...parts)`, refusing anything that lands outside `root`. */
export function inside(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const path = resolve(base, ...parts);
  if (!path.startsWith(base + sep))
    throw new SeedcastError('TORRENT_UNSAFE_PATH', `${parts.join('/')} resolves outside ${base}`);
  return path;
}
