/**
 * Small formatting helpers for pages: sizes (SI units, as file managers show them), durations,
 * dates (UTC, ISO-like so they read the same everywhere), and licence names and links (Creative
 * Commons URLs and SPDX ids as `checkLicense` stores them).
 */

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `2026-11-24` for an epoch-milliseconds time. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface LicenseInfo {
  /** Short name, e.g. `CC BY-SA 4.0`, `CC0 1.0`, `MIT`. */
  name: string;
  /** Where the licence text lives. */
  url: string;
  /** True for Creative Commons licences and public-domain tools. */
  creativeCommons: boolean;
}

const CC_PATH =
  /^https:\/\/creativecommons\.org\/(licenses\/([a-z-]+)\/([0-9.]+)(?:\/([a-z-]+))?|publicdomain\/(zero|mark)\/1\.0)\/$/;
const CC_SPDX = /^CC-(BY(?:-NC)?(?:-ND|-SA)?)-([0-9.]+)$/;

/** Name and link of a stored licence (null when none was given). */
export function licenseInfo(license: string | null): LicenseInfo | null {
  if (!license) return null;
  const cc = CC_PATH.exec(license);
  if (cc) {
    if (cc[5] === 'zero') return { name: 'CC0 1.0', url: license, creativeCommons: true };
    if (cc[5] === 'mark') return { name: 'Public Domain Mark 1.0', url: license, creativeCommons: true };
    const port = cc[4] ? ` ${cc[4].toUpperCase()}` : '';
    return { name: `CC ${cc[2]!.toUpperCase()} ${cc[3]}${port}`, url: license, creativeCommons: true };
  }
  const spdx = CC_SPDX.exec(license);
  if (spdx) {
    const url = `https://creativecommons.org/licenses/${spdx[1]!.toLowerCase()}/${spdx[2]}/`;
    return { name: `CC ${spdx[1]} ${spdx[2]}`, url, creativeCommons: true };
  }
  if (license === 'CC0-1.0')
    return {
      name: 'CC0 1.0',
      url: 'https://creativecommons.org/publicdomain/zero/1.0/',
      creativeCommons: true,
    };
  if (/^https?:\/\//.test(license)) return { name: license, url: license, creativeCommons: false };
  return {
    name: license,
    url: `https://spdx.org/licenses/${encodeURIComponent(license)}.html`,
    creativeCommons: false,
  };
}
