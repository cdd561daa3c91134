/**
 * The site's limits as numbers: how often each action may be done (per account and per address,
 * whichever route reaches it; `action-limits.ts` enforces them), how many refused attempts an
 * address may make, the HTTP server's timeouts and connection cap (`server-guards.ts`), the login
 * lockout, and upload sizes. `parseLimits` reads the operator's `SEEDCAST_LIMITS` / `--limit`
 * spec: comma-separated `name=value` pairs, for example
 * `comments=30/1h,uploads=20/1h,failures=10/1m,body-timeout=2m,connections-per-address=32`.
 */

import { SeedcastError } from '../errors.js';

export interface RateLimit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

/** Actions limited whichever route (page or API) performs them. */
export const ACTIONS = [
  'registrations',
  'logins',
  'tokens',
  'uploads',
  'resumable-uploads',
  'comments',
  'reports',
  'favourites',
  'password-changes',
  'p2p-reports',
  'captions',
  'collections',
  'channels',
  'account-mails',
] as const;
export type Action = (typeof ACTIONS)[number];

/** A rate per action; `null` switches the action's limit off. */
export type ActionRates = Record<Action, RateLimit | null>;

export interface ServerTimeouts {
  /** Milliseconds to receive a request's headers. */
  headers: number;
  /** Milliseconds a request body may go without a byte before the connection is closed (0: off). */
  body: number;
  /** Milliseconds to receive a whole request, body included (0: off). */
  request: number;
  /** Milliseconds an idle keep-alive connection stays open. */
  idle: number;
}

export interface SiteLimits {
  /** Successful actions per account, and per address (times `addressFactor` for signed-in actions). */
  actions: ActionRates;
  /** Refused attempts (4xx, aborted) of one action per address, in a short window. */
  failures: RateLimit;
  /** An address may do this many times an account's budget of signed-in actions (shared addresses). */
  addressFactor: number;
  /** Failed logins of one account within `timeWindow` that lock it for `timeWindow` (null: off). */
  loginLockout: RateLimit | null;
  /** The HTTP server's timeouts. */
  timeouts: ServerTimeouts;
  /** Open connections one client address may hold (0: no cap). */
  connectionsPerAddress: number;
  /** Largest upload in bytes, all files together (default 8 GiB). */
  uploadBytes: number;
  /** Most files in one upload (default 100). */
  uploadFiles: number;
}

/** What callers may give: any part, actions and timeouts merged over the defaults one by one. */
export type LimitOverrides = Partial<Omit<SiteLimits, 'actions' | 'timeouts'>> & {
  actions?: Partial<ActionRates>;
  timeouts?: Partial<ServerTimeouts>;
};

const MINUTE = 60_000;
const HOUR = 3_600_000;

export const DEFAULT_LIMITS: Readonly<SiteLimits> = Object.freeze({
  actions: {
    registrations: { max: 20, timeWindow: HOUR },
    logins: { max: 60, timeWindow: HOUR },
    tokens: { max: 20, timeWindow: HOUR },
    uploads: { max: 20, timeWindow: HOUR },
    'resumable-uploads': { max: 50, timeWindow: HOUR },
    comments: { max: 20, timeWindow: HOUR },
    reports: { max: 20, timeWindow: HOUR },
    favourites: { max: 200, timeWindow: HOUR },
    'password-changes': { max: 5, timeWindow: HOUR },
    // The player reports every 10 s and when its page hides: about 360 an hour per open page.
    'p2p-reports': { max: 1200, timeWindow: HOUR },
    // Caption uploads and deletions, chapter edits (issue 18).
    captions: { max: 60, timeWindow: HOUR },
    // New collections (issue 19); changes to one's collections are not limited.
    collections: { max: 30, timeWindow: HOUR },
    // New channels (issue 19).
    channels: { max: 10, timeWindow: HOUR },
    // Password-reset requests and address verifications (issue 19): each may send a mail.
    'account-mails': { max: 10, timeWindow: HOUR },
  },
  failures: { max: 10, timeWindow: MINUTE },
  addressFactor: 5,
  loginLockout: { max: 10, timeWindow: 15 * MINUTE },
  timeouts: { headers: 30_000, body: 60_000, request: 6 * HOUR, idle: 60_000 },
  connectionsPerAddress: 64,
  uploadBytes: 8 * 1024 ** 3,
  uploadFiles: 100,
});

/** The defaults with `overrides` merged in. */
export function siteLimits(overrides: LimitOverrides = {}): SiteLimits {
  return {
    ...DEFAULT_LIMITS,
    ...overrides,
    actions: { ...DEFAULT_LIMITS.actions, ...overrides.actions },
    timeouts: { ...DEFAULT_LIMITS.timeouts, ...overrides.timeouts },
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: 24 * HOUR };

/** `90s`, `2m`, `1h`, `1d`, `500ms`, or `0`; milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || (m[2] === undefined && m[1] !== '0'))
    throw new SeedcastError('USAGE', `${what}: a duration such as 30s, 5m, 1h or 0, got "${text}"`);
  return Number(m[1]) * UNITS[m[2] ?? 'ms']!;
}

/** `20/1h` (or `20/h`): at most 20 in any hour. */
function parseRate(text: string, what: string): RateLimit {
  const m = /^(\d{1,9})\/(\d{0,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1)
    throw new SeedcastError('USAGE', `${what}: a rate such as 20/1h or "off", got "${text}"`);
  const span = m[2] === '' ? 1 : Number(m[2]);
  if (span < 1) throw new SeedcastError('USAGE', `${what}: the window must be at least 1${m[3]}`);
  return { max: Number(m[1]), timeWindow: span * UNITS[m[3]!]! };
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text.trim()))
    throw new SeedcastError('USAGE', `${what}: a whole number, got "${text}"`);
  return Number(text.trim());
}

/** Singular names and a few synonyms for the actions. */
const ALIASES: Record<string, Action> = {
  registration: 'registrations',
  register: 'registrations',
  login: 'logins',
  token: 'tokens',
  upload: 'uploads',
  publish: 'uploads',
  'resumable-upload': 'resumable-uploads',
  tus: 'resumable-uploads',
  comment: 'comments',
  report: 'reports',
  favourite: 'favourites',
  favorite: 'favourites',
  favorites: 'favourites',
  'password-change': 'password-changes',
  password: 'password-changes',
  'p2p-report': 'p2p-reports',
  beacon: 'p2p-reports',
  caption: 'captions',
  chapters: 'captions',
  collection: 'collections',
  playlists: 'collections',
  channel: 'channels',
  'account-mail': 'account-mails',
  'password-reset': 'account-mails',
  'password-resets': 'account-mails',
};

const TIMEOUTS: Record<string, keyof ServerTimeouts> = {
  'headers-timeout': 'headers',
  'body-timeout': 'body',
  'request-timeout': 'request',
  'idle-timeout': 'idle',
};

/**
 * Reads a limits spec: `name=value` pairs separated by commas (each `--limit` flag may hold one or
 * several). Actions take a rate (`20/1h`) or `off`; `failures` and `login-lockout` a rate (the
 * lockout: that many failed logins of one account within the window lock it for the window) or
 * `off`; the four timeouts a duration (`0` switches body and request timeouts off);
 * `connections-per-address` and `address-factor` a whole number. USAGE on anything else.
 */
export function parseLimits(specs: readonly string[]): LimitOverrides {
  const out: LimitOverrides = {};
  const actions: Partial<ActionRates> = {};
  const timeouts: Partial<ServerTimeouts> = {};
  for (const pair of specs.flatMap((s) => s.split(',')).map((s) => s.trim())) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) throw new SeedcastError('USAGE', `limit "${pair}": write name=value`);
    const name = pair.slice(0, eq).trim().toLowerCase();
    const value = pair.slice(eq + 1).trim();
    const what = `limit ${name}`;
    const action = (ACTIONS as readonly string[]).includes(name) ? (name as Action) : ALIASES[name];
    if (action) actions[action] = value === 'off' ? null : parseRate(value, what);
    else if (name === 'failures') out.failures = parseRate(value, what);
    else if (name === 'login-lockout') out.loginLockout = value === 'off' ? null : parseRate(value, what);
    else if (TIMEOUTS[name]) {
      const ms = parseDuration(value, what);
      const key = TIMEOUTS[name]!;
      if (ms === 0 && (key === 'headers' || key === 'idle'))
        throw new SeedcastError('USAGE', `${what}: must be more than 0`);
      timeouts[key] = ms;
    } else if (name === 'connections-per-address') out.connectionsPerAddress = wholeNumber(value, what);
    else if (name === 'address-factor') out.addressFactor = Math.max(1, wholeNumber(value, what));
    else
      throw new SeedcastError(
        'USAGE',
        `unknown limit "${name}" (one of ${[...ACTIONS, 'failures', 'login-lockout', ...Object.keys(TIMEOUTS), 'connections-per-address', 'address-factor'].join(', ')})`,
      );
  }
  if (Object.keys(actions).length > 0) out.actions = actions;
  if (Object.keys(timeouts).length > 0) out.timeouts = timeouts;
  return out;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * A size as people write it, in the configuration (`SEEDCAST_USER_QUOTA`...) and in the admin's quota
 * form: "1073741824", "64G", "64GiB", "1.5 TB" (powers of 1024); "none"/"unlimited" is null when allowed.
 */
export function parseBytes(name: string, value: string, options: { none?: boolean } = {}): number | null {
  const v = value.trim().toLowerCase();
  if (options.none && ['none', 'unlimited', 'off'].includes(v)) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/.exec(v) ?? /^(\d+)()b?$/.exec(v);
  const n = m ? Math.floor(Number(m[1]) * BYTE_UNITS[m[2]!]!) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SeedcastError(
      'USAGE',
      `${name} must be a size in bytes (e.g. 1073741824, 512M, 64GiB), got "${value}"`,
    );
  return n;
}
