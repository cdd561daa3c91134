/**
 * A file to share in engine tests: `size` random bytes as `seed/show.ogg` in a temp dir (removed after
 * the test) and its parsed hybrid (BEP 3 + BEP 52) torrent, 64 KiB pieces.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createTorrent, type Metainfo, parseTorrent } from '../../src/torrent/index.js';

export async function seedFile(
  t: TestContext,
  size: number,
  name = 'seed',
): Promise<{ dir: string; data: Buffer; meta: Metainfo }> {
  const dir = mkdtempSync(join(tmpdir(), `seedcast-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(size);
  writeFileSync(join(dir, 'seed', 'show.ogg'), data);
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'seed', 'show.ogg'), { version: 'hybrid', pieceLength: 65536 })).torrent,
  );
  return { dir, data, meta };
}
