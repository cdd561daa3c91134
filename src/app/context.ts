/**
 * What every route of the aggregator app is given: the running aggregator and its engine, the
 * install's secret, the static assets, and how the app is exposed (loopback only, or `--listen`
 * with a password).
 */

import type { Aggregator } from '../aggregator/index.js';
import type { Engine } from '../engine/index.js';
import type { AppAssets } from './assets.js';
import type { AppSecret } from './secret.js';

export interface AppContext {
  aggregator: Aggregator;
  engine: Engine;
  /** `$SEEDCAST_HOME`. */
  home: string;
  secret: AppSecret;
  assets: AppAssets;
  /**
   * Set by `--listen`: the app answers any `Host` and asks for this password (a scrypt hash, see
   * `guard.ts`) before it sets the session cookie. Absent: loopback `Host` names only.
   */
  exposed?: { passwordHash: string };
  /** When a page of the app last asked for its status (the "seed only while the app is open" rule). */
  lastSeen: { at: number };
}
