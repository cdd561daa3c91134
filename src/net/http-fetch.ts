/**
 * HTTP GET under the outbound policy (RFC 9110): `node:http`/`node:https` with the policy's
 * connect-time `lookup`, literal addresses checked before connecting, and redirects followed by hand
 * so every hop is checked the same way (at most `maxRedirects`, http/https only). Resolves with a
 * WHATWG `Response` (so callers read it as they read `fetch`'s) and the URL that answered. Without a
 * policy it is the global `fetch` (the user's own choice of URL, e.g. the CLI).
 *
 * The caller bounds the exchange: `signal` aborts the request and its body, and `timeoutMs` (default
 * 30 s) covers the wait for the response headers of each hop. Bodies are the caller's to read with a
 * size limit; a redirect's body is discarded unread.
 */

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { SeedcastError } from '../errors.js';
import type { OutboundPolicy } from './outbound-policy.js';

export interface OutboundFetchOptions {
  /** The rule for every hop; absent: global `fetch`, redirects followed. */
  policy?: OutboundPolicy | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Redirects to follow (default 5); 0 hands a 3xx back to the caller. */
  maxRedirects?: number;
  /** Milliseconds to wait for each hop's response headers (default 30 s). */
  timeoutMs?: number;
}

export interface OutboundFetchResult {
  response: Response;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** GET `url`; with a policy, every hop (the URL and each redirect) must be allowed by it. */
export async function outboundFetch(
  url: string,
  options: OutboundFetchOptions = {},
): Promise<OutboundFetchResult> {
  const { policy } = options;
  if (!policy) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await fetch(url, {
      ...(options.headers ? { headers: options.headers } : {}),
      redirect: options.maxRedirects === 0 ? 'manual' : 'follow',
      signal,
    });
    return { response, url: response.url || url };
  }
  const max = options.maxRedirects ?? 5;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const message = await getOnce(current, policy, options);
    const status = message.statusCode ?? 0;
    const location = message.headers.location;
    if (REDIRECTS.has(status) && location && max > 0) {
      message.resume();
      if (hop >= max) throw new SeedcastError('OUTBOUND_REFUSED', `${url}: more than ${max} redirects`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new SeedcastError('OUTBOUND_REFUSED', `${current.href}: bad redirect to ${location}`);
      }
      current = next;
      continue;
    }
    return { response: toResponse(message), url: current.href };
  }
}

/** One GET of `url`, checked by `policy`; resolves once the headers arrive. */
function getOnce(url: URL, policy: OutboundPolicy, options: OutboundFetchOptions): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SeedcastError('OUTBOUND_REFUSED', `${url.href}: only http and https may be fetched`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node skips `lookup` for literal addresses: check those here; names are checked at connect time.
  if (isIP(host) !== 0) policy.assertAddress(host, url.href);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      headers: { 'user-agent': 'Seedcast/0.1', ...options.headers },
      lookup: policy.lookup as never,
      // No pooled sockets: a connection is only ever used for the request it was checked for.
      agent: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const timer = setTimeout(
      () => req.destroy(new SeedcastError('OUTBOUND_REFUSED', `${url.href}: no answer in time`)),
      options.timeoutMs ?? 30_000,
    );
    req.once('response', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** The Node response as a WHATWG `Response` (body streamed, not buffered). */
function toResponse(message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const status = message.statusCode ?? 502;
  if (NULL_BODY.has(status) || status < 200 || status > 599) {
    message.resume();
    return new Response(null, { status: status >= 200 && status <= 599 ? status : 502, headers });
  }
  const body = Readable.toWeb(message) as ReadableStream<Uint8Array>;
  return new Response(body, { status, statusText: message.statusMessage ?? '', headers });
}
