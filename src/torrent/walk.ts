/**
 * Lists the files a new torrent will hold: a single file, or every regular file under a folder.
 *
 * Like mktorrent, a folder's hidden files and empty files are included and empty folders are not
 * (v1 cannot express them). Unlike mktorrent, symbolic links are never followed out of the folder: a
 * link to a regular file inside the folder is taken as that file (what mktorrent does), any other
 * link (outside the folder, to a folder, dangling) is skipped and reported, as are sockets, FIFOs and
 * devices. File names must be valid UTF-8 (BEP 3 paths are UTF-8) and safe by `paths.ts` (no names
 * Windows reserves, no control characters...), or the listing fails naming the file. `sortFiles` puts the
 * files in mktorrent's order (v1) or in BEP 52's file tree order.
 */

import type { Stats } from 'node:fs';
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SeedcastError } from '../errors.js';
import { unsafeComponentReason } from './paths.js';

export interface SourceFile {
  /** Path components inside the torrent's folder (for a single-file torrent: `[name]`). */
  path: string[];
  /** Where to read it. */
  absPath: string;
  length: number;
}

export interface SkippedEntry {
  /** Path inside the folder, `/`-separated. */
  path: string;
  reason: string;
}

export interface InputListing {
  /** The file's or folder's own name. */
  name: string;
  /** True when the input is a single file (not a folder). */
  single: boolean;
  files: SourceFile[];
  skipped: SkippedEntry[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** List the files under `input` (a file or a folder). Throws CREATE_INPUT when it cannot be read. */
export async function listInput(input: string): Promise<InputListing> {
  const absRoot = resolve(input);
  const rootStat = fsCall(input, () => statSync(absRoot));
  const name = basename(absRoot);
  if (rootStat.isFile()) {
    return {
      name,
      single: true,
      files: [{ path: [name], absPath: absRoot, length: rootStat.size }],
      skipped: [],
    };
  }
  if (!rootStat.isDirectory()) {
    throw new SeedcastError('CREATE_INPUT', `${input} is neither a regular file nor a folder`);
  }
  const realRoot = fsCall(input, () => realpathSync(absRoot));
  const listing = { name, single: false, files: [], skipped: [], visited: 0 };
  await walkFolder(absRoot, [], realRoot, listing);
  return { name, single: false, files: listing.files, skipped: listing.skipped };
}

/**
 * Entries examined between two turns of the event loop. The file system is asked synchronously
 * (`lstatSync` costs a fifth of the promise form's time per entry), in slices short enough (a few ms)
 * that a server listing a large folder keeps answering.
 */
const SLICE = 256;

async function walkFolder(
  dir: string,
  prefix: string[],
  realRoot: string,
  out: InputListing & { visited: number },
): Promise<void> {
  const names = fsCall(dir, () => readdirSync(dir, { encoding: 'buffer' }));
  for (let i = 0; i < names.length; i++) {
    if (++out.visited % SLICE === 0) await yieldToLoop();
    const raw = names[i]!;
    let entryName: string;
    try {
      entryName = utf8.decode(raw);
    } catch {
      throw new SeedcastError(
        'CREATE_INPUT',
        `file name is not valid UTF-8 in ${dir}: ${JSON.stringify(raw.toString('latin1'))}`,
      );
    }
    const path = [...prefix, entryName];
    const unsafe = unsafeComponentReason(entryName);
    if (unsafe) {
      // the parser (and other clients) would refuse the torrent: say so now, naming the file
      throw new SeedcastError('CREATE_INPUT', `${join(dir, entryName)}: cannot be in a torrent (${unsafe})`);
    }
    const abs = join(dir, entryName);
    const st = fsCall(abs, () => lstatSync(abs));
    if (st.isDirectory()) {
      await walkFolder(abs, path, realRoot, out);
    } else if (st.isFile()) {
      out.files.push({ path, absPath: abs, length: st.size });
    } else if (st.isSymbolicLink()) {
      const target = followLink(abs, realRoot);
      if (typeof target === 'string') out.skipped.push({ path: path.join('/'), reason: target });
      else out.files.push({ path, absPath: abs, length: target.size });
    } else {
      out.skipped.push({ path: path.join('/'), reason: 'not a regular file' });
    }
  }
}

/** The target's stats when the link points to a regular file inside the folder; else why not. */
function followLink(abs: string, realRoot: string): Stats | string {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return 'dangling symbolic link';
  }
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    return 'symbolic link out of the folder';
  }
  const st = fsCall(abs, () => statSync(abs));
  return st.isFile() ? st : 'symbolic link to something other than a regular file';
}

function fsCall<T>(path: string, op: () => T): T {
  try {
    return op();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no such file or folder'
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? 'permission denied'
          : (e.code ?? e.message);
    throw new SeedcastError('CREATE_INPUT', `${path}: ${why}`, { cause: err });
  }
}

/**
 * The sort key of a path as a binary string (one character per UTF-8 byte, so `<` is byte order).
 * mktorrent's order (v1) compares whole `/`-joined paths (`a-b` < `a/b` < `a0`); BEP 52's file tree
 * order compares component by component, which is the byte order of the components joined by NUL,
 * a byte no name holds and lower than any byte a name does hold (`a/b` < `a-b` < `a0`).
 */
function sortKey(path: string[], order: 'v1' | 'v2'): string {
  return Buffer.from(path.join(order === 'v1' ? '/' : '\0'), 'utf8').toString('latin1');
}

/** `files` sorted in the order of a v1 torrent (mktorrent's) or of a v2 file tree. */
export function sortFiles<T extends { path: string[] }>(files: T[], order: 'v1' | 'v2'): T[] {
  return files
    .map((file) => ({ file, key: sortKey(file.path, order) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.file);
}
