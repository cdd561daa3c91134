/**
 * Chapters in the podcast namespace's JSON chapters format (version 1.2.0:
 * `{ version, chapters: [{ startTime, title, img?, url?, endTime?, toc? }] }`): checked and
 * normalised (sorted by start, unknown fields dropped, links only http and https, at most 500
 * chapters and 256 KiB), and the plain-text form the item page's editor uses, one chapter a line:
 * `1:02:03 Title https://link` (the link is optional).
 */

import { SeedcastError } from '../errors.js';

export const CHAPTER_LIMITS = { chapters: 500, bytes: 256 * 1024, title: 300, url: 2000 } as const;
/** Seconds: a chapter starts within 1,000 hours. */
const MAX_TIME = 3_600_000;

export interface Chapter {
  /** Seconds from the start. */
  startTime: number;
  title: string;
  img?: string;
  url?: string;
  endTime?: number;
  toc?: boolean;
}

export interface Chapters {
  version: '1.2.0';
  title?: string;
  chapters: Chapter[];
}

function invalid(detail: string): never {
  throw new SeedcastError('CHAPTERS_INVALID', detail);
}

function link(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > CHAPTER_LIMITS.url) invalid(`${where}: a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`${where}: not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid(`${where}: an http or https URL`);
  return url.href;
}

function seconds(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIME)
    invalid(`${where}: seconds, a number from 0`);
  return Math.round(value * 1000) / 1000;
}

/** Checks and normalises chapters JSON (parsed already, or its text). */
export function checkChapters(input: unknown): Chapters {
  let doc = input;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > CHAPTER_LIMITS.bytes) invalid(`at most ${CHAPTER_LIMITS.bytes} bytes`);
    try {
      doc = JSON.parse(input);
    } catch {
      invalid('not JSON');
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    invalid('an object { version, chapters }');
  const { version, chapters, title } = doc as Record<string, unknown>;
  if (version !== undefined && (typeof version !== 'string' || !/^1\.[0-2](\.\d+)?$/.test(version)))
    invalid('version: "1.2.0"');
  if (!Array.isArray(chapters)) invalid('chapters: a list');
  if (chapters.length > CHAPTER_LIMITS.chapters) invalid(`chapters: at most ${CHAPTER_LIMITS.chapters}`);
  const out: Chapter[] = chapters.map((c: unknown, i) => {
    const where = `chapters[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) invalid(`${where}: an object`);
    const r = c as Record<string, unknown>;
    const startTime = seconds(r.startTime, `${where}.startTime`);
    if (typeof r.title !== 'string' || r.title.trim() === '' || r.title.length > CHAPTER_LIMITS.title)
      invalid(`${where}.title: text of 1 to ${CHAPTER_LIMITS.title} characters`);
    const chapter: Chapter = { startTime, title: r.title.trim().replace(/\s+/g, ' ') };
    const img = link(r.img, `${where}.img`);
    const url = link(r.url, `${where}.url`);
    if (img) chapter.img = img;
    if (url) chapter.url = url;
    if (r.endTime !== undefined) {
      const end = seconds(r.endTime, `${where}.endTime`);
      if (end <= startTime) invalid(`${where}.endTime: after its startTime`);
      chapter.endTime = end;
    }
    if (r.toc !== undefined) {
      if (typeof r.toc !== 'boolean') invalid(`${where}.toc: true or false`);
      chapter.toc = r.toc;
    }
    return chapter;
  });
  out.sort((a, b) => a.startTime - b.startTime);
  const result: Chapters = { version: '1.2.0', chapters: out };
  if (typeof title === 'string' && title.trim() !== '')
    result.title = title.trim().slice(0, CHAPTER_LIMITS.title);
  if (Buffer.byteLength(JSON.stringify(result)) > CHAPTER_LIMITS.bytes)
    invalid(`at most ${CHAPTER_LIMITS.bytes} bytes`);
  return result;
}

/** `1:02:03`, `2:03` or `0:05` (and `.5` fractions) for the editor. */
export function formatChapterTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const frac = Math.round((seconds - whole) * 1000);
  const h = Math.floor(whole / 3600);
  const m = Math.floor(whole / 60) % 60;
  const s = whole % 60;
  const base =
    h > 0
      ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
      : `${m}:${String(s).padStart(2, '0')}`;
  return frac > 0 ? `${base}.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : base;
}

/** The editor's text: one chapter a line, `time title [url]`. */
export function chaptersToText(chapters: Chapters | null): string {
  if (!chapters) return '';
  return chapters.chapters
    .map((c) => `${formatChapterTime(c.startTime)} ${c.title}${c.url ? ` ${c.url}` : ''}`)
    .join('\n');
}

/** Reads the editor's text (`time title [url]` a line; blank lines skipped) as chapters. */
export function chaptersFromText(text: string): Chapters {
  if (Buffer.byteLength(text) > CHAPTER_LIMITS.bytes) invalid(`at most ${CHAPTER_LIMITS.bytes} bytes`);
  const chapters: Record<string, unknown>[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = /^(?:(\d{1,4}):)?(\d{1,2}):(\d{2})(\.\d{1,3})?\s+(.+?)(?:\s+(https?:\/\/\S+))?$/.exec(line);
    if (!m || Number(m[3]) > 59 || (m[1] !== undefined && Number(m[2]) > 59))
      invalid(`line ${i + 1}: write "0:00 Title" or "1:02:03 Title https://link"`);
    const startTime = Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0);
    chapters.push({ startTime, title: m[5], ...(m[6] ? { url: m[6] } : {}) });
  });
  return checkChapters({ version: '1.2.0', chapters });
}
