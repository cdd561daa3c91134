/**
 * Small formatting helpers for pages: sizes (SI units, as file managers show them), durations,
 * dates (UTC, ISO-like so they read the same everywhere). Licence names and links are
 * `licenseInfo` in `src/licenses.ts`.
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
