/**
 * An episode's chapters and transcript for its page: fetched from the links the feed gave
 * (`podcast:chapters`, `podcast:transcript`) under the feed's outbound policy (`policyForFeed`: a
 * public feed cannot make the app fetch from the LAN), checked (`checkChapters`: 256 KiB, 500
 * chapters, http(s) links only; captions through `transcripts.ts`), and cached beside the episode:
 * `<base>.chapters.json`, `<base>.vtt` (timed captions, SRT and JSON converted) or
 * `<base>.transcript.json` (paragraphs of a text or HTML transcript). A page never waits long: each
 * fetch has a deadline, a page waits `waitMs` at most and shows "unavailable" if it is not there yet
 * (the fetch goes on and its result is cached for the next view). A failure is remembered for a few
 * minutes so that views do not hammer a broken server.
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { httpGet, policyForFeed, readLimited } from '../aggregator/http.js';
import type { Aggregator, DownloadRecord } from '../aggregator/index.js';
import { libraryDir } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import { CHAPTER_LIMITS, type Chapter, checkChapters } from '../media/captions-chapters.js';
import { CAPTION_LIMITS } from '../media/captions-format.js';
import { isInside } from './media-file.js';
import {
  captionsToVtt,
  chooseTranscript,
  plainTranscript,
  TEXT_LIMIT,
  type TranscriptText,
  vttText,
} from './transcripts.js';

export type Extra<T> =
  | { state: 'none' }
  | { state: 'ready'; value: T }
  | { state: 'unavailable'; reason: string };

export interface TranscriptExtra {
  text: TranscriptText;
  /** True when `<base>.vtt` exists (a `<track>` can load it). */
  captions: boolean;
  language?: string;
}

export interface ExtrasOptions {
  /** Milliseconds one fetch may take in all (default 15 s). */
  fetchMs?: number;
  /** Milliseconds to remember a failure (default 5 min). */
  retryMs?: number;
}

type Kind = 'chapters' | 'transcript';

export class EpisodeExtras {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failed = new Map<string, { at: number; reason: string }>();

  constructor(
    private readonly aggregator: Aggregator,
    private readonly options: ExtrasOptions = {},
  ) {}

  /** Where a cache file of `record` lives (inside the library, or NOT_FOUND). */
  cachePath(record: DownloadRecord, suffix: '.chapters.json' | '.vtt' | '.transcript.json'): string {
    const path = resolve(`${record.base}${suffix}`);
    if (!isInside(resolve(libraryDir(this.aggregator.home)), path))
      throw new SeedcastError('NOT_FOUND', `${record.title}: its files are outside the library`);
    return path;
  }

  /** The chapters, fetching them first when needed (waiting `waitMs` at most). */
  async chapters(record: DownloadRecord, options: { waitMs: number }): Promise<Extra<Chapter[]>> {
    if (!record.chapters) return { state: 'none' };
    const read = async () =>
      checkChapters(await readFile(this.cachePath(record, '.chapters.json'), 'utf8')).chapters;
    return this.extra(record, 'chapters', read, options.waitMs);
  }

  /** The transcript (and whether captions exist), fetching it first when needed. */
  async transcript(record: DownloadRecord, options: { waitMs: number }): Promise<Extra<TranscriptExtra>> {
    const link = chooseTranscript(record.transcripts);
    if (!link) return { state: 'none' };
    const timed = link.kind === 'vtt' || link.kind === 'srt' || link.kind === 'json';
    const read = async (): Promise<TranscriptExtra> => {
      const language = link.language ? { language: link.language } : {};
      if (timed) {
        const vtt = await readFile(this.cachePath(record, '.vtt'), 'utf8');
        return { text: vttText(vtt), captions: true, ...language };
      }
      const text = JSON.parse(
        await readFile(this.cachePath(record, '.transcript.json'), 'utf8'),
      ) as TranscriptText;
      return { text, captions: false, ...language };
    };
    return this.extra(record, 'transcript', read, options.waitMs);
  }

  /** The cached WebVTT captions of `record`, or NOT_FOUND. */
  async captions(record: DownloadRecord): Promise<string> {
    const link = chooseTranscript(record.transcripts);
    if (!link || !(link.kind === 'vtt' || link.kind === 'srt' || link.kind === 'json'))
      throw new SeedcastError('NOT_FOUND', `${record.title}: no captions`);
    try {
      return await readFile(this.cachePath(record, '.vtt'), 'utf8');
    } catch {
      throw new SeedcastError('NOT_FOUND', `${record.title}: captions not fetched yet`);
    }
  }

  private async extra<T>(
    record: DownloadRecord,
    kind: Kind,
    read: () => Promise<T>,
    waitMs: number,
  ): Promise<Extra<T>> {
    try {
      return { state: 'ready', value: await read() };
    } catch (err) {
      if (isSeedcastError404(err)) return { state: 'unavailable', reason: (err as Error).message };
      // not cached yet (or the cache is unreadable): fetch
    }
    const key = `${record.id}:${kind}`;
    const failure = this.failed.get(key);
    if (failure && Date.now() - failure.at < (this.options.retryMs ?? 5 * 60_000))
      return { state: 'unavailable', reason: failure.reason };
    let job = this.inFlight.get(key);
    if (!job) {
      job = this.fetchInto(record, kind)
        .then(() => void this.failed.delete(key))
        .catch((err: Error) => void this.failed.set(key, { at: Date.now(), reason: err.message }))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, job);
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      job.then(() => true),
      new Promise<false>((done) => {
        timer = setTimeout(() => done(false), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!waited)
      return { state: 'unavailable', reason: 'the server is slow to answer; reload the page later' };
    const now = this.failed.get(key);
    if (now) return { state: 'unavailable', reason: now.reason };
    try {
      return { state: 'ready', value: await read() };
    } catch (err) {
      return { state: 'unavailable', reason: (err as Error).message };
    }
  }

  /** Fetch `url` (under the feed's policy), at most `maxBytes`, within the deadline. */
  private async download(record: DownloadRecord, url: string, maxBytes: number): Promise<Buffer> {
    const ms = this.options.fetchMs ?? 15_000;
    // A controller and a timer of our own: a signal from AbortSignal.any([AbortSignal.timeout()])
    // may be collected before it fires.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ms);
    const stop = () => deadline.abort();
    this.aggregator.stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      const policy = await policyForFeed(record.feed, this.aggregator.options.policy);
      const { response, url: final } = await httpGet(url, { policy, signal: deadline.signal, timeoutMs: ms });
      return await readLimited(response, { maxBytes, url: final });
    } catch (err) {
      if (deadline.signal.aborted) throw new SeedcastError('AGGREGATOR_FETCH', `${url}: timed out`);
      throw err;
    } finally {
      clearTimeout(timer);
      this.aggregator.stopping.signal.removeEventListener('abort', stop);
    }
  }

  private async fetchInto(record: DownloadRecord, kind: Kind): Promise<void> {
    if (kind === 'chapters') {
      const bytes = await this.download(record, record.chapters!, CHAPTER_LIMITS.bytes);
      const chapters = checkChapters(bytes.toString('utf8'));
      return save(this.cachePath(record, '.chapters.json'), JSON.stringify(chapters));
    }
    const link = chooseTranscript(record.transcripts)!;
    if (link.kind === 'vtt' || link.kind === 'srt' || link.kind === 'json') {
      const bytes = await this.download(
        record,
        link.url,
        CAPTION_LIMITS.bytes * (link.kind === 'json' ? 2 : 1),
      );
      return save(this.cachePath(record, '.vtt'), captionsToVtt(bytes, link.kind));
    }
    const bytes = await this.download(record, link.url, TEXT_LIMIT);
    return save(
      this.cachePath(record, '.transcript.json'),
      JSON.stringify(plainTranscript(bytes, link.kind)),
    );
  }
}

function isSeedcastError404(err: unknown): boolean {
  return err instanceof SeedcastError && err.code === 'NOT_FOUND';
}

/** Write a cache file atomically (a reader never sees half of it). */
async function save(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}
