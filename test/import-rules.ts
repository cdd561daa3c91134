/**
 * The import rules between the source folders (docs/architecture.md, "Dependency direction"), as
 * one table the import-rule test checks against the real imports: which folder may import which,
 * and the reaches past a folder's `index.ts` that are meant. Top-level files are units of their own:
 * `errors`, the configuration's `config*.ts`, the leaves `licenses`, `markdown` and `safe-url`, and
 * the composition roots `server`, `site-services`, `worker`.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Units any code may import. */
export const EVERYONE = new Set(['errors']);

/** Units that may import anything: the composition roots and the command line. */
export const ROOTS = new Set(['cli', 'server', 'site-services', 'worker']);

/**
 * Who may import whom (besides `EVERYONE`), lowest first. `web` and `publishing` take the
 * `BlobStore` interface and its key and read helpers from `storage`, never an adapter (those are
 * chosen in `server.ts`); `publishing`, `distribution` and `accounts` reach `db` for their own
 * tables (shared upload parts, traffic and fixity, the archive state) and the `Database` type.
 */
export const ALLOWED: Record<string, string[]> = {
  bencode: [],
  net: [],
  licenses: [],
  'safe-url': [],
  markdown: ['safe-url'],
  torrent: ['bencode'],
  wire: ['bencode'],
  tracker: ['bencode', 'net'],
  dht: ['bencode', 'net'],
  engine: ['bencode', 'dht', 'net', 'torrent', 'wire'],
  storage: ['engine', 'torrent'],
  db: ['licenses'],
  jobs: ['db'],
  catalog: ['db', 'licenses', 'storage', 'torrent'],
  accounts: ['catalog', 'db'],
  media: ['catalog', 'jobs', 'storage', 'torrent'],
  distribution: ['catalog', 'db', 'engine', 'jobs', 'storage', 'torrent', 'tracker'],
  publishing: ['catalog', 'db', 'distribution', 'engine', 'licenses', 'media', 'storage', 'torrent'],
  feeds: ['catalog', 'licenses', 'markdown', 'media'],
  web: [
    'accounts',
    'catalog',
    'distribution',
    'feeds',
    'jobs',
    'licenses',
    'markdown',
    'media',
    'publishing',
    'safe-url',
    'storage',
    'torrent',
    'tracker',
  ],
  aggregator: ['engine', 'feeds', 'net', 'torrent'],
  app: ['aggregator', 'engine', 'feeds', 'media', 'web'],
  config: ['accounts', 'dht', 'torrent', 'web'],
};

/** Folder cycles still open, each the sorted names of folders that reach each other: none. */
export const KNOWN_CYCLES = new Set<string>();

/**
 * Imports that reach past a folder's `index.ts`, by `from -> to` unit, that are meant: `app`
 * borrows the site's renderer and parsers file by file (docs/architecture.md says which), and the
 * configuration reads `torrent/format.ts`, `web/limits.ts` and `web/request-log.ts` without loading
 * the torrent maker or the Fastify app (every command reads the configuration), and the feed writers
 * read `media/content-types.ts` without loading the media pipeline (the aggregator loads `feeds`).
 */
export const KNOWN_PAST_INDEX = new Set([
  'app -> aggregator',
  'app -> feeds',
  'app -> media',
  'app -> web',
  'config -> torrent',
  'config -> web',
  'feeds -> media',
]);

export interface Import {
  file: string;
  from: string;
  to: string;
  /** The target's path under `src/`. */
  target: string;
}

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** A top-level file is a unit of its own, but the configuration's files (`config*.ts`) are one. */
const unitOf = (src: string, path: string) => {
  const parts = relative(src, path).split('/');
  if (parts.length > 1) return parts[0]!;
  const name = parts[0]!.replace(/\.(js|ts|tsx)$/, '');
  return name.startsWith('config') ? 'config' : name;
};

/** Every relative import (static, re-export or dynamic) between two units of `src/`. */
export function readImports(src: string): Import[] {
  const out: Import[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(pattern)) {
      const target = resolve(dirname(file), (m[1] ?? m[2])!);
      const from = unitOf(src, file);
      const to = unitOf(src, target);
      if (from !== to) out.push({ file: relative(src, file), from, to, target: relative(src, target) });
    }
  }
  return out;
}

/** Groups of folders that import each other, directly or through others (strongly connected). */
export function cycles(imports: Import[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const i of imports) {
    if (ROOTS.has(i.from) || EVERYONE.has(i.to)) continue;
    (next.get(i.from) ?? next.set(i.from, new Set()).get(i.from)!).add(i.to);
  }
  const reach = (a: string) => {
    const seen = new Set<string>();
    const stack = [...(next.get(a) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(next.get(n) ?? []));
    }
    return seen;
  };
  const groups = new Set<string>();
  for (const a of next.keys()) {
    const fromA = reach(a);
    if (!fromA.has(a)) continue;
    groups.add(
      [...fromA]
        .filter((b) => reach(b).has(a))
        .sort()
        .join(' '),
    );
  }
  return [...groups].sort();
}
