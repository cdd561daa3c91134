/**
 * HTTP for the aggregator (RFC 9110): GET with redirects followed by hand (at most `maxRedirects`, only
 * to http/https, a loop is an error), a timeout on the whole exchange until headers arrive and on every
 * silent stretch of the body, and bodies read with a hard size limit. Non-2xx answers (304 aside) are
 * AGGREGATOR_FETCH errors that say what happened in one line. With `policy` (an enclosure or torrent
 * URL a feed named), every hop must reach an address the policy allows (`outboundFetch`); a refusal
 * is an OUTBOUND_REFUSED error, not retried. `policyForFeed` picks that policy for a feed.
 */

import { isSeedcastError, SeedcastError } from '../errors.js';
import { OutboundPolicy, outboundFetch } from '../net/index.js';

export interface GetOptions {
  headers?: Record<string, string>;
  maxRedirects?: number;
  /** Milliseconds to wait for the response headers (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Contact only addresses this policy allows, on every redirect (absent: any address). */
  policy?: OutboundPolicy | undefined;
}

export interface GetResult {
  response: Response;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Milliseconds a body may stay silent before the transfer is given up. */
export const IDLE_TIMEOUT_MS = 30_000;

const USER_AGENT = 'Seedcast/0.1 (+aggregator)';

function fetchError(url: string, detail: string): SeedcastError {
  return new SeedcastError('AGGREGATOR_FETCH', `${url}: ${detail}`);
}

/** GET `url`, following redirects; resolves with the first non-redirect answer (2xx or 304). */
export async function httpGet(url: string, options: GetOptions = {}): Promise<GetResult> {
  const max = options.maxRedirects ?? 5;
  const visited = new Set<string>();
  let current = url;
  for (let hop = 0; ; hop++) {
    if (visited.has(current)) throw fetchError(url, `redirect loop at ${current}`);
    visited.add(current);
    // The timeout covers the wait for headers only; bodies have an idle timeout (readChunks).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    let response: Response;
    try {
      const headers = { 'user-agent': USER_AGENT, ...options.headers };
      response = options.policy
        ? (await outboundFetch(current, { policy: options.policy, headers, signal, maxRedirects: 0 }))
            .response
        : await fetch(current, { headers, redirect: 'manual', signal });
    } catch (err) {
      if (isSeedcastError(err, 'OUTBOUND_REFUSED')) throw err;
      const e = err as Error & { cause?: Error };
      const reason = controller.signal.aborted ? 'timed out' : (e.cause?.message ?? e.message);
      throw fetchError(current, reason);
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw fetchError(current, `HTTP ${response.status} without a Location`);
      if (hop >= max) throw fetchError(url, `more than ${max} redirects`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw fetchError(current, `bad redirect to ${location}`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw fetchError(current, `redirect to a ${next.protocol} URL`);
      current = next.href;
      continue;
    }
    if (!response.ok && response.status !== 304) {
      await response.body?.cancel();
      throw fetchError(
        current,
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      );
    }
    return { response, url: current };
  }
}

/** Read a whole body, refusing more than `maxBytes` (checked on Content-Length first, then as it arrives). */
export async function readLimited(
  response: Response,
  options: { maxBytes: number; url?: string },
): Promise<Buffer> {
  const { maxBytes, url = response.url } = options;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new SeedcastError('AGGREGATOR_TOO_LARGE', `${url}: ${declared} bytes, the limit is ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const value of readChunks(response, { url })) {
    size += value.byteLength;
    if (size > maxBytes)
      throw new SeedcastError('AGGREGATOR_TOO_LARGE', `${url}: more than ${maxBytes} bytes`);
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The body's chunks; fails when the server stays silent for `idleMs`. Leaving early cancels the body. */
export async function* readChunks(
  response: Response,
  options: { url: string; idleMs?: number },
): AsyncGenerator<Uint8Array> {
  const { url, idleMs = IDLE_TIMEOUT_MS } = options;
  const reader = response.body?.getReader();
  if (!reader) return;
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(fetchError(url, `no data for ${idleMs / 1000} s`)), idleMs);
      });
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await Promise.race([reader.read(), idle]);
      } catch (err) {
        if ((err as Error).name === 'SeedcastError') throw err;
        throw fetchError(url, (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      } finally {
        clearTimeout(timer);
      }
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

/**
 * The policy for what the feed at `feedUrl` names (its enclosures and torrents): `policy` (default:
 * public addresses only), or none when the feed itself is on an inside address.
 */
export async function policyForFeed(
  feedUrl: string,
  policy: OutboundPolicy = new OutboundPolicy(),
): Promise<OutboundPolicy | undefined> {
  let host: string;
  try {
    host = new URL(feedUrl).hostname;
  } catch {
    return policy;
  }
  return (await policy.resolvesInside(host)) ? undefined : policy;
}
