/**
 * Dates and durations as feeds really write them.
 *
 * - RFC 822 / RFC 1123 dates (RSS 2.0 `pubDate`), tolerating what feeds do: missing or wrong or full day
 *   names, full month names, two-digit years, missing seconds, zone names (UT, GMT, EST ... and a few
 *   European ones), military letters, `+hh:mm` offsets, no zone at all (taken as UTC).
 * - ISO 8601 / RFC 3339 (Atom, JSON Feed, `dc:date`): date only, date and time with `T` or a space,
 *   fractional seconds, `Z` or `+hh:mm` / `+hhmm` offsets.
 * - `itunes:duration`: seconds (`3600`, `3600.5`) or `[[h:]m:]s` clock forms.
 * - RSS 1.0 syndication module: `sy:updatePeriod` x `sy:updateFrequency` -> minutes between updates.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Offsets of zone names in minutes east of UTC. */
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  BST: 60,
  CET: 60,
  MET: 60,
  CEST: 120,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  IST: 330,
  JST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
};

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, off: number) {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  if (d > daysInMonth(y, mo)) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - off * 60_000;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function parseOffset(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '') return 0;
  const z = zone.toUpperCase();
  const m = /^(?:GMT|UTC|UT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(z);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  if (z in ZONES) return ZONES[z];
  if (/^[A-IK-Y]$/.test(z)) return 0; // RFC 822 military zones: RFC 1123 says treat them as unknown
  return undefined;
}

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const RFC822 =
  /^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{2,4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([A-Za-z]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}:?\d{2})?$/;

/** Parse a feed date into ISO 8601 UTC, or undefined when it cannot be read. */
export function parseDate(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const s = input.trim().replace(/\s+/g, ' ');
  if (s === '' || s.length > 80) return undefined;
  const iso = ISO.exec(s);
  if (iso) {
    const off = parseOffset(iso[8]);
    const ms = iso[7] ? Math.round(Number(`0.${iso[7]}`) * 1000) : 0;
    return build(+iso[1]!, +iso[2]!, +iso[3]!, +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0), ms, off ?? 0);
  }
  const r = RFC822.exec(s);
  if (r) {
    const mo = MONTHS[r[2]!.slice(0, 3).toLowerCase()];
    const off = parseOffset(r[7]);
    if (mo === undefined || off === undefined) return undefined;
    let y = +r[3]!;
    if (r[3]!.length <= 2) y += y < 50 ? 2000 : 1900;
    return build(y, mo, +r[1]!, +(r[4] ?? 0), +(r[5] ?? 0), +(r[6] ?? 0), 0, off);
  }
  // "Jun 10, 2003 04:00:00 GMT" and other shapes that the month-name-first writers use.
  const alt =
    /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/.exec(
      s,
    );
  if (alt) {
    const mo = MONTHS[alt[1]!.slice(0, 3).toLowerCase()];
    const off = parseOffset(alt[7]);
    if (mo === undefined || off === undefined) return undefined;
    return build(+alt[3]!, mo, +alt[2]!, +(alt[4] ?? 0), +(alt[5] ?? 0), +(alt[6] ?? 0), 0, off);
  }
  return undefined;
}

/** Seconds from an `itunes:duration` (`3723`, `3723.4`, `62:03`, `1:02:03`); undefined when unreadable. */
export function parseDuration(input: string | number | undefined): number | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined;
  const s = input.trim();
  if (s.length > 40) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s));
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(s);
  if (!m) return undefined;
  const sec = Number(m[3]);
  if (sec >= 60 || (m[1] !== undefined && Number(m[2]) >= 60)) return undefined;
  return Math.round(Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + sec);
}

const PERIOD_MINUTES: Record<string, number> = {
  hourly: 60,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  yearly: 525600,
};

/** Minutes between updates from the syndication module (period defaults to daily, frequency to 1). */
export function updateInterval(
  period: string | undefined,
  frequency: string | undefined,
): number | undefined {
  if (period === undefined && frequency === undefined) return undefined;
  const minutes = PERIOD_MINUTES[(period ?? 'daily').trim().toLowerCase()];
  const times = frequency === undefined ? 1 : Number(frequency.trim());
  if (minutes === undefined || !Number.isFinite(times) || times < 1) return undefined;
  return Math.max(1, Math.round(minutes / times));
}

/** A positive integer count of minutes (RSS `<ttl>`), or undefined. */
export function parseMinutes(input: string | undefined): number | undefined {
  if (input === undefined || !/^\s*\d{1,9}\s*$/.test(input)) return undefined;
  const n = Number(input);
  return n > 0 ? n : undefined;
}
