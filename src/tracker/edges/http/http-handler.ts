/**
 * The HTTP tracker edge shared by the standalone `node:http` server and the Fastify plugin: takes
 * the raw query string and the peer's address, parses (`http-parse.ts`), calls the service and
 * writes the bencoded answer (`http-response.ts`). Every refusal or malformed request becomes a
 * `failure reason` (BEP 3) with status 200, so every client reads it; it is counted and logged as
 * a warning. Nothing a client sends can make this throw.
 */

import { ERRORS, isSeedcastError } from '../../../errors.js';
import { silentLog, type TrackerLog } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import { ipBytes } from '../address.js';
import { parseAnnounce, parseScrape } from './http-parse.js';
import { compactAnnounceBody, dictAnnounceBody, failureBody, scrapeBody } from './http-response.js';

export interface HttpEdgeOptions {
  /** Sent as BEP 3 `tracker id` in announce answers. */
  trackerId?: string;
  log?: TrackerLog;
}

export interface HttpAnswer {
  status: number;
  body: Buffer;
}

export type HttpRoute = 'announce' | 'scrape';

/** The query string of a raw request URL (`/announce?a=b` -> `a=b`). */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

/** Answers one announce or scrape; never rejects. */
export async function answerHttp(
  service: TrackerService,
  request: { route: HttpRoute; query: string; remoteAddress: string | undefined },
  options: HttpEdgeOptions = {},
): Promise<HttpAnswer> {
  try {
    const ip = request.remoteAddress ? ipBytes(request.remoteAddress) : null;
    if (!ip) throw new Error(`unusable peer address ${String(request.remoteAddress)}`);
    if (request.route === 'announce') {
      const parsed = parseAnnounce(request.query, ip);
      const res = await service.announce(parsed.request);
      const body = parsed.compact
        ? compactAnnounceBody(res, { trackerId: options.trackerId })
        : dictAnnounceBody(res, { trackerId: options.trackerId });
      return { status: 200, body };
    }
    const res = await service.scrape(parseScrape(request.query, { max: service.maxScrape }));
    return { status: 200, body: scrapeBody(res) };
  } catch (err) {
    service.recordError('http', err);
    const message = !isSeedcastError(err)
      ? ERRORS.INTERNAL.message
      : err.status < 500
        ? err.message
        : ERRORS[err.code].message;
    (options.log ?? silentLog).warn(`${request.route} refused: ${(err as Error)?.message ?? String(err)}`, {
      from: request.remoteAddress,
    });
    return { status: 200, body: failureBody(message) };
  }
}

/** A failure answer for requests that never reach a route (unknown path, wrong method). */
export function failureAnswer(status: number, reason: string): HttpAnswer {
  return { status, body: failureBody(reason) };
}
