/**
 * Caption files in, WebVTT out: decodes the bytes (UTF-8, a byte order mark tolerated; anything else
 * is refused with a message saying how to fix it), parses WebVTT (the `WEBVTT` header, cue timings,
 * cue settings) or SRT, and writes one canonical WebVTT file the players get. Hostile input is
 * bounded: 2 MiB per file, 20,000 cues, 1,000 characters of text per cue, and every error names the
 * line. NOTE, STYLE and REGION blocks are dropped (a STYLE block could fetch from other sites);
 * cue identifiers too. Cues are sorted by start time. `cuePlainText` is the text search indexes:
 * markup stripped, entities decoded.
 */

import { SeedcastError } from '../errors.js';

export const CAPTION_LIMITS = { bytes: 2 * 1024 * 1024, cues: 20_000, cueChars: 1000 } as const;

export interface Cue {
  /** Milliseconds. */
  start: number;
  end: number;
  /** WebVTT cue settings (`line:0 align:start`), already checked; '' when none. */
  settings: string;
  /** Cue text as WebVTT writes it (markup kept), lines joined with `\n`. */
  text: string;
}

export type CaptionFormat = 'vtt' | 'srt';

export interface ParsedCaptions {
  /** The format the file was in. */
  format: CaptionFormat;
  cues: Cue[];
  /** The canonical WebVTT file. */
  vtt: string;
}

function invalid(detail: string): never {
  throw new SeedcastError('CAPTION_INVALID', detail);
}

/** The file's text: UTF-8 (with or without a byte order mark); CAPTION_ENCODING otherwise. */
export function decodeCaptionBytes(bytes: Uint8Array): string {
  if (bytes.length > CAPTION_LIMITS.bytes)
    throw new SeedcastError('CAPTION_TOO_LARGE', `at most ${CAPTION_LIMITS.bytes} bytes (2 MiB)`);
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  )
    throw new SeedcastError('CAPTION_ENCODING', 'the file is UTF-16; save it as UTF-8 and upload it again');
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  if (body.includes(0))
    throw new SeedcastError('CAPTION_ENCODING', 'the file holds NUL bytes: not a text file in UTF-8');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new SeedcastError(
      'CAPTION_ENCODING',
      'the file is not UTF-8 (perhaps Windows-1252 or Latin-1); save it as UTF-8 and upload it again',
    );
  }
}

/** `hh:mm:ss.ttt` or `mm:ss.ttt` (WebVTT), or SRT's `hh:mm:ss,ttt` when `srt`; milliseconds or undefined. */
export function parseTimestamp(text: string, srt = false): number | undefined {
  const m = srt
    ? /^(\d{1,6}):([0-5]\d):([0-5]\d)[,.](\d{1,3})$/.exec(text)
    : /^(?:(\d{2,6}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(text);
  if (!m) return undefined;
  const ms = srt ? Number(m[4]!.padEnd(3, '0')) : Number(m[4]);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + ms;
}

/** A WebVTT timestamp (`00:01:02.500`). */
export function formatTimestamp(ms: number): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

const SETTING =
  /^(vertical:(rl|lr)|line:-?\d{1,3}(\.\d{1,3})?%?(,(start|center|end))?|position:\d{1,3}(\.\d{1,3})?%(,(line-left|center|line-right))?|size:\d{1,3}(\.\d{1,3})?%|align:(start|center|end|left|right)|region:[^\s:]{1,64})$/;

/** The cue settings WebVTT knows, in a canonical spacing; unknown ones are dropped. */
function cueSettings(text: string): string {
  return text
    .split(/[ \t]+/)
    .filter((s) => SETTING.test(s))
    .join(' ');
}

/** Reads `start --> end settings`; undefined when the line is no timing line. */
function timingLine(line: string, lineNo: number, srt: boolean): Omit<Cue, 'text'> | undefined {
  if (!line.includes('-->')) return undefined;
  const m = /^\s*(\S+)[ \t]+-->[ \t]+(\S+)(.*)$/.exec(line);
  const start = m ? parseTimestamp(m[1]!, srt) : undefined;
  const end = m ? parseTimestamp(m[2]!, srt) : undefined;
  if (start === undefined || end === undefined)
    invalid(
      `line ${lineNo}: a cue timing is "${srt ? '00:00:01,000 --> 00:00:02,500' : '00:00:01.000 --> 00:00:02.500'}", got "${line.slice(0, 80)}"`,
    );
  if (end <= start) invalid(`line ${lineNo}: the cue ends (${m![2]}) before it starts (${m![1]})`);
  return { start, end, settings: srt ? '' : cueSettings(m![3]!.trim()) };
}

function checkCue(cue: Cue, count: number, lineNo: number): void {
  if (count > CAPTION_LIMITS.cues) invalid(`more than ${CAPTION_LIMITS.cues} cues`);
  if (cue.text.length > CAPTION_LIMITS.cueChars)
    invalid(`line ${lineNo}: a cue holds more than ${CAPTION_LIMITS.cueChars} characters of text`);
}

/** Parses WebVTT text (already decoded). */
export function parseVtt(text: string): Cue[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (!/^WEBVTT([ \t].*)?$/.test(lines[0] ?? ''))
    invalid('line 1: a WebVTT file starts with the line "WEBVTT"');
  let i = 1;
  while (i < lines.length && lines[i] !== '') {
    if (lines[i]!.includes('-->')) invalid(`line ${i + 1}: a blank line must follow the WEBVTT header`);
    i++; // header metadata
  }
  const cues: Cue[] = [];
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    const first = lines[i]!;
    if (/^(NOTE|STYLE|REGION)([ \t]|$)/.test(first) && !first.includes('-->')) {
      while (i < lines.length && lines[i] !== '') i++;
      continue;
    }
    let timing = timingLine(first, i + 1, false);
    if (!timing) {
      i++; // a cue identifier
      const next = lines[i];
      timing = next === undefined ? undefined : timingLine(next, i + 1, false);
      if (!timing) invalid(`line ${blockStart + 1}: expected a cue timing ("00:00:01.000 --> 00:00:02.500")`);
    }
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i] !== '') {
      if (lines[i]!.includes('-->'))
        invalid(`line ${i + 1}: a cue's text cannot hold "-->" (a blank line must come before the next cue)`);
      body.push(lines[i]!);
      i++;
    }
    const cue = { ...timing, text: body.join('\n') };
    checkCue(cue, cues.length + 1, blockStart + 1);
    cues.push(cue);
  }
  return cues;
}

const SRT_TAG = /<\/?([a-zA-Z]+)[^>]*>/g;

/** SRT cue text as WebVTT text: `<i>`, `<b>`, `<u>` kept, other tags and `{\an8}` codes dropped, `&<>` escaped. */
export function srtTextToVtt(text: string): string {
  const kept: string[] = [];
  const marked = text
    .replace(/\uE000/g, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(SRT_TAG, (tag, name: string) => {
      const n = name.toLowerCase();
      if (n !== 'i' && n !== 'b' && n !== 'u') return '';
      kept.push(tag.startsWith('</') ? `</${n}>` : `<${n}>`);
      return `\uE000${kept.length - 1}\uE000`;
    });
  return marked
    .replace(/&(?!(amp|lt|gt|nbsp|lrm|rlm|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\uE000(\d+)\uE000/g, (_m, n: string) => kept[Number(n)]!);
}

/** Parses SRT text (already decoded) into WebVTT cues. */
export function parseSrt(text: string): Cue[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cues: Cue[] = [];
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    let timing = timingLine(lines[i]!, i + 1, true);
    if (!timing) {
      if (!/^\s*\d{1,9}\s*$/.test(lines[i]!))
        invalid(`line ${i + 1}: an SRT block starts with its number, then "00:00:01,000 --> 00:00:02,500"`);
      i++;
      const next = lines[i];
      timing = next === undefined ? undefined : timingLine(next, i + 1, true);
      if (!timing) invalid(`line ${i + 1}: expected a cue timing ("00:00:01,000 --> 00:00:02,500")`);
    }
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') {
      body.push(srtTextToVtt(lines[i]!.replace(/-->/g, '→')));
      i++;
    }
    const cue = { ...timing, text: body.join('\n') };
    checkCue(cue, cues.length + 1, blockStart + 1);
    if (stripCueMarkup(cue.text).trim() !== '') cues.push(cue);
  }
  return cues;
}

/** The canonical WebVTT file of `cues`. */
export function writeVtt(cues: readonly Cue[]): string {
  const blocks = cues.map(
    (c) =>
      `${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}${c.settings ? ` ${c.settings}` : ''}\n${c.text}`,
  );
  return `WEBVTT\n\n${blocks.join('\n\n')}${blocks.length > 0 ? '\n' : ''}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', lrm: '', rlm: '' };

/** Cue text without markup (tags, timestamps), entities decoded, lines joined by spaces. */
export function stripCueMarkup(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|nbsp|lrm|rlm|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name] ?? '';
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The cue's plain text, for search. */
export function cuePlainText(cue: Cue): string {
  return stripCueMarkup(cue.text);
}

/**
 * Reads a caption file: WebVTT when it starts with `WEBVTT` or `format` says so (a `.vtt` name),
 * else SRT;
 * returns the cues (sorted by start) and the canonical WebVTT file.
 */
export function parseCaptions(bytes: Uint8Array, options: { format?: CaptionFormat } = {}): ParsedCaptions {
  const text = decodeCaptionBytes(bytes);
  const vtt = options.format === 'vtt' || /^WEBVTT/.test(text);
  if (!vtt && !/^\s*(\d{1,9}\s*\n|\S+[ \t]+-->)/.test(text.replace(/\r\n?/g, '\n')))
    invalid('neither WebVTT (whose first line is "WEBVTT") nor SRT (numbered blocks of a timing and text)');
  const cues = vtt ? parseVtt(text) : parseSrt(text);
  if (cues.length === 0) invalid(vtt ? 'no cues in the WebVTT file' : 'no cues: neither WebVTT nor SRT');
  cues.sort((a, b) => a.start - b.start || a.end - b.end);
  return { format: vtt ? 'vtt' : 'srt', cues, vtt: writeVtt(cues) };
}
