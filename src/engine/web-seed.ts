/**
 * A BEP 19 web seed ("GetRight style") as a piece source: plain HTTP with `Range` requests.
 *
 * URL of a file: for a single-file torrent the web seed URL is the file itself, or, when it ends
 * with `/`, that folder plus the torrent's name; for a multi-file torrent it is the URL (with a `/`
 * added if missing) plus the name and each path component, percent-encoded: the torrent's own
 * components (`path`), except for a file with a `.` or `..` component, which a URL cannot carry
 * (it is resolved away): that one is asked for by libtorrent's sanitised path, as libtorrent asks. A piece that spans
 * several files becomes one range request per file. A server that ignores `Range` and answers 200
 * is accepted only when the whole body is exactly the requested span (a small file); anything else
 * (wrong status, wrong length, a body larger than asked) is a `WEBSEED_BAD_RESPONSE`. Padding files
 * (BEP 47) are zeros and never requested. With `policy` (a web seed named by a stranger) every
 * request and every redirect hop must reach an address the policy allows (`outboundFetch`).
 */

import { SeedcastError } from '../errors.js';
import { type OutboundPolicy, outboundFetch } from '../net/index.js';
import { libtorrentUrlPaths, type Metainfo } from '../torrent/index.js';
import type { PieceMap } from './piece-map.js';

export interface WebSeedOptions {
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Fetch only from addresses this policy allows, on every redirect (absent: any address). */
  policy?: OutboundPolicy | undefined;
}

export class WebSeed {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly policy: OutboundPolicy | undefined;
  /** Bytes received from this web seed. */
  downloaded = 0;
  /** When a 503 or 429 answer's `Retry-After` allows the next request (ms since the epoch; 0: now). */
  retryAt = 0;
  private libtorrentPaths: string[][] | undefined;

  constructor(
    url: string,
    private readonly context: { meta: Metainfo; map: PieceMap },
    options: WebSeedOptions = {},
  ) {
    this.url = url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'Seedcast/0.1';
    this.policy = options.policy;
  }

  /** The URL of file `index` of the torrent on this web seed. */
  fileUrl(index: number): string {
    const { meta } = this.context;
    const file = meta.files[index]!;
    // The torrent's own components; but `.` and `..` would be resolved by the URL parser (climbing
    // out of the web seed's folder), so such a file is asked for by libtorrent's sanitised path.
    const dots = file.path.some((c) => c === '.' || c === '..');
    this.libtorrentPaths ??= dots ? libtorrentUrlPaths(meta) : undefined;
    const path = dots ? this.libtorrentPaths![index]! : file.path;
    const encoded = path.map((c) => encodeURIComponent(c));
    if (!meta.multiFile) return this.url.endsWith('/') ? this.url + encoded[0] : this.url;
    return (this.url.endsWith('/') ? this.url : `${this.url}/`) + encoded.join('/');
  }

  /** Piece `index`, fetched whole. */
  async readPiece(index: number, signal?: AbortSignal): Promise<Buffer> {
    const span = this.context.map.piece(index);
    return this.read(span.offset, span.length, signal);
  }

  /** Bytes [offset, offset + length) of the piece space. */
  async read(offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    const out = Buffer.alloc(length);
    for (const seg of this.context.map.segments(offset, length)) {
      if (this.context.meta.files[seg.file]!.padding) continue;
      const body = await this.fetchRange(this.fileUrl(seg.file), seg.fileOffset, seg.length, {
        whole: this.context.meta.files[seg.file]!.length,
        signal,
      });
      body.copy(out, seg.rangeOffset);
    }
    return out;
  }

  private async fetchRange(
    url: string,
    start: number,
    length: number,
    options: { whole: number; signal?: AbortSignal | undefined },
  ): Promise<Buffer> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      ({ response } = await outboundFetch(url, {
        headers: { Range: `bytes=${start}-${start + length - 1}`, 'User-Agent': this.userAgent },
        policy: this.policy,
        signal,
        timeoutMs: this.timeoutMs,
      }));
    } catch (err) {
      if (err instanceof SeedcastError && err.code === 'OUTBOUND_REFUSED') throw err;
      throw new SeedcastError('WEBSEED_FAILED', `${url}: ${(err as Error).message}`, { cause: err });
    }
    const bad = (why: string) => {
      response.body?.cancel().catch(() => {});
      return new SeedcastError('WEBSEED_BAD_RESPONSE', `${url}: ${why}`);
    };
    let skip = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== start || Number(range[2]) !== start + length - 1) {
        throw bad(`Content-Range "${response.headers.get('content-range')}" is not the range asked for`);
      }
    } else if (response.status === 200) {
      // The server ignored Range: accept it only for a body no larger than the file we expect.
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared !== options.whole)
        throw bad(`200 with ${declared} bytes for a ${options.whole}-byte file`);
      if (options.whole > 4 * 1024 * 1024) throw bad('server ignores Range requests for a large file');
      skip = start;
    } else {
      if (response.status === 503 || response.status === 429) this.retryAt = retryAfter(response);
      throw bad(`HTTP ${response.status}`);
    }
    const expected = response.status === 200 ? options.whole : length;
    const body = Buffer.from(await this.readBody(response, expected, bad));
    if (body.length !== expected) throw bad(`body of ${body.length} bytes, expected ${expected}`);
    this.downloaded += length;
    return response.status === 200 ? body.subarray(skip, skip + length) : body;
  }

  /** Read at most `limit` bytes of the body; more is an error (never buffer an unbounded body). */
  private async readBody(
    response: Response,
    limit: number,
    bad: (why: string) => SeedcastError,
  ): Promise<Uint8Array> {
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array(0);
    const out = new Uint8Array(limit);
    let at = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > limit) {
          await reader.cancel();
          throw bad(`body longer than the ${limit} bytes asked for`);
        }
        out.set(value, at);
        at += value.length;
      }
    } catch (err) {
      if (err instanceof SeedcastError) throw err;
      throw new SeedcastError('WEBSEED_FAILED', (err as Error).message, { cause: err });
    }
    return out.subarray(0, at);
  }
}

/** Longest `Retry-After` honoured (a server asking for more is retried after this). */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** When `Retry-After` (seconds or an HTTP date; RFC 9110) allows a new request; 0 without one. */
export function retryAfter(response: Response, now = Date.now()): number {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return 0;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  return now + Math.min(ms, MAX_RETRY_AFTER_MS);
}
