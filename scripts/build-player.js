#!/usr/bin/env node
// Bundles the P2P player's browser code (src/web/player) with esbuild into dist/web/static:
// player.js (the page script, an ES module) and p2p-sw.js (its service worker), where
// `src/web/player-assets.ts` reads them from. Run by `npm run build`; the same options as the
// on-the-fly bundle that serves them when running from source.
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const entries = [
  ['src/web/player/entry.ts', 'player.js', 'esm'],
  ['src/web/player/sw.ts', 'p2p-sw.js', 'iife'],
];
mkdirSync('dist/web/static', { recursive: true });
for (const [entry, name, format] of entries) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeFileSync(`dist/web/static/${name}`, result.outputFiles[0].contents);
}
