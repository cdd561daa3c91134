/**
 * What the site will not host as a torrent-only item, once the torrent has loaded (the parser loads
 * what libtorrent loads, odd paths included: those are stored under sanitised names, never refused).
 * Each rule is the site's own choice, and its refusal says which rule and which path:
 *
 * - `v2-only`: the site's peer transfers and verifies pieces by their v1 hashes (BEP 3), so it can
 *   neither archive nor seed a v2-only torrent (BEP 52); a hybrid is fine.
 * - `symlinks`: a BEP 47 symbolic link (`attr` with `l` and a `symlink path`) points at a path the
 *   site would have to follow or recreate; it hosts files only (an `l` without a target is an empty
 *   file, as libtorrent reads it, and is hosted).
 * - `no-content`: every file is empty or padding: there is nothing to archive.
 * - `path-length`: a file whose stored path (`storagePath`) is longer than the catalog keeps (4,096
 *   characters), after sanitising.
 *
 * Refusals are ITEM_INVALID (HTTP 400, `{ "error": { "code", "message" } }`), the message starting
 * `torrent: the site does not host ... (rule "<rule>")`.
 */

import { SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';

/** The longest stored path the catalog keeps for a file (`item_files.path`). */
export const MAX_STORED_PATH = 4096;

export type TorrentPolicyRule = 'v2-only' | 'symlinks' | 'no-content' | 'path-length';

function refuse(rule: TorrentPolicyRule, detail: string): SeedcastError {
  return new SeedcastError('ITEM_INVALID', `torrent: the site does not host ${detail} (rule "${rule}")`);
}

/** A path for a message: quoted, control characters escaped, cut to 200 characters. */
function shown(path: readonly string[]): string {
  const text = JSON.stringify(path.join('/'));
  return text.length > 200 ? `${text.slice(0, 197)}..."` : text;
}

/** Throws ITEM_INVALID naming the rule and the path when the site will not host `meta`. */
export function checkTorrentPolicy(meta: Metainfo): void {
  if (meta.version === 'v2')
    throw refuse('v2-only', 'v2-only torrents: its peer needs v1 piece hashes; make a v1 or hybrid torrent');
  // A link names its target (`symlink path`); an `l` without one is an empty file, as libtorrent reads it.
  const link = meta.files.find((f) => f.symlinkPath !== undefined);
  if (link)
    throw refuse(
      'symlinks',
      `symbolic links: ${shown(link.path)} is a link (BEP 47 attr "l"); publish the files it points to`,
    );
  if (meta.files.every((f) => f.padding || f.length === 0))
    throw refuse('no-content', 'a torrent without content: every file is empty');
  const long = meta.files.find((f) => !f.padding && f.storagePath.join('/').length > MAX_STORED_PATH);
  if (long)
    throw refuse(
      'path-length',
      `paths over ${MAX_STORED_PATH} characters: ${shown(long.path)} is stored as ${long.storagePath.join('/').length}`,
    );
}
