/**
 * Which local file the player gets for an episode, and as what: a complete download's file, or for a
 * multi-file torrent (whose `path` is a folder) its largest audio or video file. Only files inside the
 * library folder (`libraryDir(home)`, symbolic links resolved) are ever served: a state file edited by
 * hand, or a link planted in the library, cannot make the app hand out `~/.ssh/id_ed25519`. The type
 * is the feed's `mediaType` when it is audio or video and the file is the enclosure itself, else one
 * from the extension; never a type a browser would run (HTML, SVG, scripts).
 */

import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { type DownloadRecord, libraryDir } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';

export interface MediaFile {
  path: string;
  size: number;
  mtimeMs: number;
  type: string;
}

const TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.m4b': 'audio/mp4',
  '.aac': 'audio/aac',
  '.oga': 'audio/ogg',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.weba': 'audio/webm',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.ogv': 'video/ogg',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
};

/** A folder of a torrent is searched this deep and this wide, no more. */
const MAX_DEPTH = 4;
const MAX_ENTRIES = 2000;

/** The type for a file name (`application/octet-stream` when it is no audio or video we know). */
export function typeForName(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** `audio/*` or `video/*` from the feed, lower-cased, without parameters; else undefined. */
function playableType(declared: string | undefined): string | undefined {
  const t = declared?.split(';')[0]?.trim().toLowerCase();
  return t && /^(audio|video)\/[a-z0-9.+-]{1,60}$/.test(t) ? t : undefined;
}

/** True when `path` (resolved) lies inside `root` (resolved). */
export function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

async function largestMedia(dir: string, root: string): Promise<{ path: string; stats: Stats } | undefined> {
  let best: { path: string; stats: Stats } | undefined;
  let seen = 0;
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++seen > MAX_ENTRIES) return;
      const full = join(folder, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1);
      else if (e.isFile() && typeForName(e.name) !== 'application/octet-stream') {
        const stats = await lstat(full);
        if (!best || stats.size > best.stats.size) best = { path: full, stats };
      }
    }
  };
  await walk(dir, 0);
  if (!best) return undefined;
  const real = await realpath(best.path);
  return isInside(root, real) ? { path: real, stats: best.stats } : undefined;
}

/** The file to play for `record`, or NOT_FOUND (not complete yet, gone, or outside the library). */
export async function mediaFileOf(home: string, record: DownloadRecord): Promise<MediaFile> {
  const missing = (why: string) => new SeedcastError('NOT_FOUND', `${record.title}: ${why}`);
  if (record.status !== 'complete' || !record.path) throw missing('not downloaded yet');
  let root: string;
  let real: string;
  try {
    root = await realpath(libraryDir(home));
    real = await realpath(record.path);
  } catch {
    throw missing('the file is gone');
  }
  if (!isInside(root, real)) throw missing('the file is outside the library');
  const stats = await stat(real);
  if (stats.isDirectory()) {
    const found = await largestMedia(real, root);
    if (!found) throw missing('no audio or video file in its folder');
    return {
      path: found.path,
      size: found.stats.size,
      mtimeMs: found.stats.mtimeMs,
      type: typeForName(found.path),
    };
  }
  if (!stats.isFile()) throw missing('not a file');
  return {
    path: real,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    type: playableType(record.mediaType) ?? typeForName(real),
  };
}
