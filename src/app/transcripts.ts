/**
 * Transcripts for the player, from whatever a feed's `podcast:transcript` links give: WebVTT and SRT
 * (through the site's hardened caption parser, `media/captions-format.ts`: 2 MiB, 20,000 cues, SRT
 * converted to WebVTT), the podcast namespace's JSON transcripts (`{ version, segments: [{ startTime,
 * endTime, body, speaker? }] }`, converted to WebVTT), and plain text or HTML (reduced to paragraphs
 * of text). Which one to take when a feed offers several: timed captions first, then JSON, then text.
 */

import type { TranscriptLink } from '../aggregator/state.js';
import { SeedcastError } from '../errors.js';
import { htmlToText } from '../feeds/text.js';
import { CAPTION_LIMITS, cuePlainText, parseCaptions } from '../media/captions-format.js';

/** What the page shows: timed cues (seconds) or paragraphs of text. */
export type TranscriptText =
  | { kind: 'cues'; cues: { start: number; text: string }[] }
  | { kind: 'text'; paragraphs: string[] };

export type TranscriptKind = 'vtt' | 'srt' | 'json' | 'html' | 'text';

/** Plain and HTML transcripts are kept to this many bytes. */
export const TEXT_LIMIT = 1024 * 1024;

/** The kind of a linked transcript by its type (and, loosely, its URL); undefined when unknown. */
export function transcriptKind(link: Pick<TranscriptLink, 'type' | 'url'>): TranscriptKind | undefined {
  const type = link.type.toLowerCase();
  const path = link.url.split(/[?#]/)[0]!.toLowerCase();
  if (type === 'text/vtt' || path.endsWith('.vtt')) return 'vtt';
  if (
    /^(application\/(x-)?subrip|application\/srt|text\/srt|text\/x-srt)$/.test(type) ||
    path.endsWith('.srt')
  )
    return 'srt';
  if (type === 'application/json' || type === 'application/json+transcript') return 'json';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/plain') return 'text';
  return undefined;
}

const RANK: Record<TranscriptKind, number> = { vtt: 0, srt: 1, json: 2, html: 3, text: 4 };

/** The transcript to use: timed captions first (the feed's order among equals). */
export function chooseTranscript(
  links: readonly TranscriptLink[] | undefined,
): (TranscriptLink & { kind: TranscriptKind }) | undefined {
  const known = (links ?? []).flatMap((l) => {
    const kind = transcriptKind(l);
    return kind ? [{ ...l, kind }] : [];
  });
  return known.sort((a, b) => RANK[a.kind] - RANK[b.kind])[0];
}

function invalid(detail: string): never {
  throw new SeedcastError('CAPTION_INVALID', detail);
}

const escapeVtt = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** A podcast JSON transcript as WebVTT text (checked again by `parseCaptions`). */
export function jsonTranscriptToVtt(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    invalid('a JSON transcript that is not JSON');
  }
  const segments = (doc as { segments?: unknown } | null)?.segments;
  if (!Array.isArray(segments)) invalid('a JSON transcript: { version, segments: [...] }');
  if (segments.length > CAPTION_LIMITS.cues) invalid(`more than ${CAPTION_LIMITS.cues} segments`);
  const blocks: string[] = [];
  for (const [i, s] of segments.entries()) {
    const { startTime, endTime, body, speaker } = (s ?? {}) as Record<string, unknown>;
    const ok = (n: unknown): n is number =>
      typeof n === 'number' && Number.isFinite(n) && n >= 0 && n < 3_600_000;
    if (!ok(startTime) || !ok(endTime) || typeof body !== 'string')
      invalid(`segments[${i}]: startTime, endTime (seconds) and body (text)`);
    const clean = body.replace(/-->/g, '→').replace(/\s+/g, ' ').trim();
    if (clean === '' || endTime <= startTime) continue;
    const who =
      typeof speaker === 'string' && speaker.trim()
        ? `<v ${escapeVtt(speaker.trim().slice(0, 60).replace(/>/g, ''))}>`
        : '';
    blocks.push(`${vttTime(startTime)} --> ${vttTime(endTime)}\n${who}${escapeVtt(clean)}`);
  }
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

/** Timed captions (WebVTT, SRT or JSON) as one canonical WebVTT file. */
export function captionsToVtt(bytes: Uint8Array, kind: 'vtt' | 'srt' | 'json'): string {
  if (kind === 'json') {
    if (bytes.length > CAPTION_LIMITS.bytes * 2) invalid('a JSON transcript larger than 4 MiB');
    const vtt = jsonTranscriptToVtt(new TextDecoder().decode(bytes));
    return parseCaptions(Buffer.from(vtt), { format: 'vtt' }).vtt;
  }
  return parseCaptions(bytes, kind === 'vtt' ? { format: 'vtt' } : {}).vtt;
}

/** The cues of a (canonical) WebVTT file, as text with start times, for `#transcript`. */
export function vttText(vtt: string): TranscriptText {
  const { cues } = parseCaptions(Buffer.from(vtt), { format: 'vtt' });
  return {
    kind: 'cues',
    cues: cues.map((c) => ({ start: c.start / 1000, text: cuePlainText(c) })).filter((c) => c.text !== ''),
  };
}

/** A plain text or HTML transcript as paragraphs of text. */
export function plainTranscript(bytes: Uint8Array, kind: 'html' | 'text'): TranscriptText {
  if (bytes.length > TEXT_LIMIT) invalid(`a transcript larger than ${TEXT_LIMIT} bytes`);
  const text = new TextDecoder().decode(bytes);
  const blocks =
    kind === 'html'
      ? text.split(/<\/(?:p|div|li|h[1-6]|blockquote|section|article)\s*>|<br\s*\/?>/i).map(htmlToText)
      : text.split(/\r?\n\s*\r?\n/).map((p) => p.replace(/\s+/g, ' ').trim());
  const paragraphs = blocks
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove
    .map((p) => p.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''))
    .filter((p) => p !== '');
  return { kind: 'text', paragraphs };
}
