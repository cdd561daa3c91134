/**
 * The one loader of the optional C addon (`native/`, built by `npm run build:native`, which skips it
 * where it cannot build: not Linux, no compiler). Everything it offers has a JavaScript twin: the
 * swarm store (`MemoryStore`) and the UDP socket (`dgram`); callers ask `nativeAddon()` and fall
 * back when it says why not. `nativeStatus()` is what start-up logs and `/healthz` report.
 *
 * `SEEDCAST_NATIVE=off` never loads it (to run the JavaScript paths on a machine that has it).
 */

import { createRequire } from 'node:module';

/** What the addon exports; each part is checked by its user (`native-store.ts`, `udp-batch.ts`). */
export type NativeAddon = Record<string, unknown>;

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/** The addon, or why it cannot be used here; loaded once, on first use. */
export function nativeAddon(): { addon: NativeAddon } | { error: string } {
  if (loaded) return loaded;
  if (process.env.SEEDCAST_NATIVE === 'off') {
    loaded = { error: 'SEEDCAST_NATIVE=off' };
    return loaded;
  }
  try {
    // Three folders below the package root, from src/tracker/stores (tsx) as from dist/tracker/stores.
    const require = createRequire(import.meta.url);
    loaded = { addon: require('../../../build/Release/tracker_native.node') as NativeAddon };
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'not built' : (err as Error).message;
    loaded = { error: `the native addon is not loaded (${why}); npm run build:native builds it on Linux` };
  }
  return loaded;
}

/** `native` when the addon is loaded, else `javascript` and why. */
export function nativeStatus(): { addon: 'native' } | { addon: 'javascript'; reason: string } {
  const l = nativeAddon();
  return 'addon' in l ? { addon: 'native' } : { addon: 'javascript', reason: l.error };
}
