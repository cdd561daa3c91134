/**
 * The site's settings an admin changes from `/admin/settings` or `PATCH /api/v1/admin/settings`,
 * stored in `site_settings` (one row per setting, JSON value; `settings.ts` writes the rows):
 * - the profile every page shows (`SiteProfile`: name, description, about page in Markdown, how
 *   people register, default licence, contact), read through a short cache like the P2P default;
 * - the default storage quota of an account and the largest upload, which override the server's
 *   configuration (`SEEDCAST_USER_QUOTA`, the `--limit upload-bytes` cap) when set: null in the
 *   database means "the configuration's value"; the upload size can only be lowered below the cap;
 * - the P2P default for browsers, kept by `SettingsRepository` (`p2p.default`).
 * Validation errors are SETTINGS_INVALID naming the field (`name: ...`).
 */

import type { Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { canonicalLicense } from '../licenses.js';
import { type P2pChoice, readSettings, type SettingsRepository, writeSetting } from './settings.js';

export type Registration = 'open' | 'closed' | 'invite' | 'approval';
export const REGISTRATION_MODES: readonly Registration[] = ['open', 'closed', 'invite', 'approval'];

/** What the pages and `GET /api/v1/site` show about the site. */
export interface SiteProfile {
  name: string;
  description: string;
  /** The about page, in Markdown ('' for the default text). */
  about: string;
  registration: Registration;
  /** Licence preselected on the upload form; null: none. */
  defaultLicense: string | null;
  /** How to reach the people running the site (an email address or a URL; '' for none). */
  contact: string;
}

/** Everything an admin sets: the profile, upload defaults and the P2P default. */
export interface AdminSettings extends SiteProfile {
  /** Default quota of an account in bytes (null: none); `userQuotaSource` says where it comes from. */
  userQuotaBytes: number | null;
  userQuotaSource: 'settings' | 'config';
  /** Largest upload in bytes. */
  maxUploadBytes: number;
  maxUploadSource: 'settings' | 'config';
  p2pDefault: P2pChoice;
}

/** A change: each field optional; `userQuotaBytes`/`maxUploadBytes` `undefined` leaves, `'config'` resets. */
export type SettingsPatch = Partial<SiteProfile> & {
  userQuotaBytes?: number | null | 'config';
  maxUploadBytes?: number | 'config';
  p2pDefault?: P2pChoice;
};

export const DEFAULT_PROFILE: Readonly<SiteProfile> = Object.freeze({
  name: 'Seedcast',
  description:
    'A place to publish audio, video and other media. Everyone downloads it over BitTorrent: ' +
    'this site seeds every file, and each viewer who keeps a copy helps share it.',
  about: '',
  registration: 'open',
  defaultLicense: null,
  contact: '',
});

const KEYS: Record<keyof SiteProfile, string> = {
  name: 'site.name',
  description: 'site.description',
  about: 'site.about',
  registration: 'site.registration',
  defaultLicense: 'site.default_license',
  contact: 'site.contact',
};
const QUOTA_KEY = 'limits.user_quota';
const UPLOAD_KEY = 'limits.max_upload';
const CACHE_MS = 10_000;

export interface SiteSettingsOptions {
  now?: () => number;
  /** The configuration's values the settings fall back to. */
  config?: { userQuota: number | null; maxUploadBytes: number };
  /** The P2P default's keeper (absent: the P2P default is not part of these settings). */
  p2p?: SettingsRepository;
}

function invalid(field: string, message: string): never {
  throw new SeedcastError('SETTINGS_INVALID', `${field}: ${message}`);
}

function textField(
  field: string,
  value: unknown,
  max: number,
  options: { multiline?: boolean; min?: number } = {},
) {
  if (typeof value !== 'string') invalid(field, 'must be text');
  const v = options.multiline ? value.replace(/\r\n/g, '\n').trim() : value.trim();
  if (v.length < (options.min ?? 0)) invalid(field, 'must not be empty');
  if (v.length > max) invalid(field, `at most ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if ((options.multiline ? /[\u0000-\u0008\u000b-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(v))
    invalid(field, options.multiline ? 'no control characters' : 'one line, no control characters');
  return v;
}

function bytesField(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    invalid(field, `a whole number of bytes, at least ${min}`);
  return value;
}

/** Checks a patch; the cleaned values (only the fields given). */
export function checkSettingsPatch(patch: SettingsPatch, cap: number): SettingsPatch {
  if (typeof patch !== 'object' || patch === null) invalid('settings', 'an object');
  const out: SettingsPatch = {};
  if (patch.name !== undefined) out.name = textField('name', patch.name, 80, { min: 1 });
  if (patch.description !== undefined)
    out.description = textField('description', patch.description, 500, { multiline: true });
  if (patch.about !== undefined) out.about = textField('about', patch.about, 20_000, { multiline: true });
  if (patch.registration !== undefined) {
    if (!REGISTRATION_MODES.includes(patch.registration))
      invalid('registration', 'open, closed, invite or approval');
    out.registration = patch.registration;
  }
  if (patch.defaultLicense !== undefined) {
    const v = patch.defaultLicense === null ? '' : textField('defaultLicense', patch.defaultLicense, 200);
    // Stored in the one canonical form the items use (an SPDX id), whatever form it was typed in.
    const id = v === '' ? null : canonicalLicense(v);
    if (id === undefined)
      invalid('defaultLicense', 'a Creative Commons URL or an SPDX id (CC-BY-4.0, CC0-1.0, MIT...)');
    out.defaultLicense = id;
  }
  if (patch.contact !== undefined) {
    const v = textField('contact', patch.contact, 200);
    if (v !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && !/^https?:\/\/\S+$/.test(v))
      invalid('contact', 'an email address or an http(s) URL');
    out.contact = v;
  }
  if (patch.userQuotaBytes !== undefined)
    out.userQuotaBytes =
      patch.userQuotaBytes === null || patch.userQuotaBytes === 'config'
        ? patch.userQuotaBytes
        : bytesField('userQuotaBytes', patch.userQuotaBytes, 0);
  if (patch.maxUploadBytes !== undefined) {
    if (patch.maxUploadBytes === 'config') out.maxUploadBytes = 'config';
    else {
      out.maxUploadBytes = bytesField('maxUploadBytes', patch.maxUploadBytes, 1);
      if (out.maxUploadBytes > cap) invalid('maxUploadBytes', `at most the server's limit of ${cap} bytes`);
    }
  }
  if (patch.p2pDefault !== undefined) {
    if (patch.p2pDefault !== 'on' && patch.p2pDefault !== 'off') invalid('p2pDefault', 'on or off');
    out.p2pDefault = patch.p2pDefault;
  }
  return out;
}

export class SiteSettings {
  private cached: { values: Map<string, unknown>; at: number } | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: SiteSettingsOptions = {},
  ) {}

  /** The site's profile (defaults for anything never set). */
  async profile(): Promise<SiteProfile> {
    const v = await this.values();
    const str = (key: string, fallback: string) => {
      const x = v.get(key);
      return typeof x === 'string' ? x : fallback;
    };
    const registration = v.get(KEYS.registration);
    const license = v.get(KEYS.defaultLicense);
    return {
      name: str(KEYS.name, DEFAULT_PROFILE.name) || DEFAULT_PROFILE.name,
      description: str(KEYS.description, DEFAULT_PROFILE.description),
      about: str(KEYS.about, ''),
      registration: REGISTRATION_MODES.includes(registration as Registration)
        ? (registration as Registration)
        : 'open',
      defaultLicense: typeof license === 'string' && license !== '' ? license : null,
      contact: str(KEYS.contact, ''),
    };
  }

  /** The default quota of an account without its own: the settings' value, else the configuration's. */
  async defaultQuota(): Promise<number | null> {
    const v = (await this.values()).get(QUOTA_KEY);
    if (v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return v;
    return this.config.userQuota;
  }

  /** The largest upload: the settings' value (never above the configuration's cap), else the cap. */
  async maxUploadBytes(): Promise<number> {
    const v = (await this.values()).get(UPLOAD_KEY);
    const cap = this.config.maxUploadBytes;
    return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? Math.min(v, cap) : cap;
  }

  /** Every setting, as the admin page and `GET /api/v1/admin/settings` show them. */
  async all(): Promise<AdminSettings> {
    const v = await this.values();
    return {
      ...(await this.profile()),
      userQuotaBytes: await this.defaultQuota(),
      userQuotaSource: v.has(QUOTA_KEY) ? 'settings' : 'config',
      maxUploadBytes: await this.maxUploadBytes(),
      maxUploadSource: v.has(UPLOAD_KEY) ? 'settings' : 'config',
      p2pDefault: this.options.p2p ? await this.options.p2p.p2pDefault() : 'on',
    };
  }

  /** Changes the profile's fields given (SETTINGS_INVALID naming the first bad one). */
  async setProfile(patch: Partial<SiteProfile>): Promise<SiteProfile> {
    const { userQuotaBytes: _q, maxUploadBytes: _m, p2pDefault: _p, ...profile } = patch as SettingsPatch;
    await this.update(profile);
    return this.profile();
  }

  /** Changes any settings given; checks them all before writing any. */
  async update(patch: SettingsPatch): Promise<AdminSettings> {
    const clean = checkSettingsPatch(patch, this.config.maxUploadBytes);
    const now = this.now();
    for (const key of Object.keys(KEYS) as (keyof SiteProfile)[])
      if (clean[key] !== undefined) await writeSetting(this.db, KEYS[key], clean[key], now);
    if (clean.userQuotaBytes === 'config') await this.remove(QUOTA_KEY);
    else if (clean.userQuotaBytes !== undefined)
      await writeSetting(this.db, QUOTA_KEY, clean.userQuotaBytes, now);
    if (clean.maxUploadBytes === 'config') await this.remove(UPLOAD_KEY);
    else if (clean.maxUploadBytes !== undefined)
      await writeSetting(this.db, UPLOAD_KEY, clean.maxUploadBytes, now);
    if (clean.p2pDefault !== undefined) {
      if (!this.options.p2p) invalid('p2pDefault', 'this site keeps no P2P default');
      await this.options.p2p.setP2pDefault(clean.p2pDefault);
    }
    this.cached = undefined;
    return this.all();
  }

  private get config() {
    return this.options.config ?? { userQuota: null, maxUploadBytes: Number.MAX_SAFE_INTEGER };
  }

  private async remove(name: string): Promise<void> {
    await this.db.deleteFrom('site_settings').where('name', '=', name).execute();
  }

  private async values(): Promise<Map<string, unknown>> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return this.cached.values;
    const values = await readSettings(this.db);
    this.cached = { values, at: this.now() };
    return values;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
