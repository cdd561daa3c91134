/**
 * An HTTP(S) enclosure to a file, resumable: bytes go to `<dest>.part`; a later attempt asks for the
 * rest with `Range: bytes=N-` (RFC 9110 section 14) and appends on a `206` whose `Content-Range` starts
 * at N, or starts over on a `200`. The result must match what the feed promised (its length, and any
 * `podcast:integrity` SRI hash, W3C Subresource Integrity) before it is renamed into place; a mismatch
 * deletes the partial file and is an AGGREGATOR_VERIFY error. The disk-space guard runs once the size is
 * known.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { SeedcastError } from '../errors.js';
import type { OutboundPolicy } from '../net/index.js';
import { assertDiskSpace } from './disk.js';
import { httpGet, readChunks } from './http.js';

export interface HttpDownloadOptions {
  /** Bytes the feed promised (checked when given). */
  length?: number;
  /** SRI strings (`sha256-...`, `sha384-...`, `sha512-...`); one must match when given. */
  integrity?: string[];
  /** Free bytes to leave on the disk. */
  minFreeBytes?: number;
  /** Called as bytes arrive: (bytes on disk, total when known). */
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The strong ETag or Last-Modified of the file the part came from: sent as `If-Range`. */
  validator?: string;
  /** Called with the validator of the file being fetched (to be kept for a later resume). */
  onValidator?: (validator: string) => void;
  /** Contact only addresses this policy allows, on every redirect (see `Aggregator`). */
  policy?: OutboundPolicy | undefined;
}

/** A validator usable in `If-Range` (RFC 9110 section 13.1.5): a strong ETag, else Last-Modified. */
function validatorOf(response: Response): string | undefined {
  const etag = response.headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers.get('last-modified') ?? undefined;
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

function verifyError(url: string, detail: string): SeedcastError {
  return new SeedcastError('AGGREGATOR_VERIFY', `${url}: ${detail}`);
}

/** Download `url` to `dest` (resuming `<dest>.part`); resolves with the final size. */
export async function downloadHttp(
  url: string,
  dest: string,
  options: HttpDownloadOptions = {},
): Promise<number> {
  const part = `${dest}.part`;
  let have = await sizeOf(part);
  if (options.length !== undefined && have > options.length) {
    await rm(part, { force: true });
    have = 0;
  }
  if (options.length !== undefined && have === options.length) return finish(url, part, dest, have, options);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    // The server sends the whole file (200) instead if it changed since the part was fetched.
    if (options.validator) headers['if-range'] = options.validator;
  }
  const { response, url: finalUrl } = await httpGet(url, {
    headers,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
    policy: options.policy,
  });
  const validator = validatorOf(response);
  if (validator) options.onValidator?.(validator);
  let total: number | undefined;
  let append = false;
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    append = range !== null && Number(range[1]) === have;
    if (!append) {
      await response.body?.cancel();
      throw new SeedcastError('AGGREGATOR_FETCH', `${finalUrl}: answered a range we did not ask for`);
    }
    if (range && range[3] !== '*') total = Number(range[3]);
  } else {
    const declared = response.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared)) total = Number(declared);
    have = 0;
  }
  const promised = options.length;
  if (promised !== undefined && total !== undefined && total !== promised) {
    await response.body?.cancel();
    await rm(part, { force: true });
    throw verifyError(finalUrl, `the server has ${total} bytes, the feed promised ${promised}`);
  }
  await assertDiskSpace(dest, (total ?? promised ?? 0) - have, { reserve: options.minFreeBytes ?? 0 });

  {
    const fh = await open(part, append ? 'a' : 'w');
    try {
      options.onProgress?.(have, total ?? promised);
      for await (const chunk of readChunks(response, { url: finalUrl })) {
        if (promised !== undefined && have + chunk.byteLength > promised) {
          throw verifyError(finalUrl, `more bytes than the ${promised} the feed promised`);
        }
        await fh.write(chunk);
        have += chunk.byteLength;
        options.onProgress?.(have, total ?? promised);
      }
      await fh.sync();
    } catch (err) {
      if ((err as SeedcastError).code === 'AGGREGATOR_VERIFY') await rm(part, { force: true });
      throw err;
    } finally {
      await fh.close();
    }
  }
  return finish(finalUrl, part, dest, promised ?? total, options);
}

/** Check the part against the promise, then move it into place. */
async function finish(
  finalUrl: string,
  part: string,
  dest: string,
  expected: number | undefined,
  options: HttpDownloadOptions,
): Promise<number> {
  const size = await sizeOf(part);
  if (expected !== undefined && size !== expected) {
    if (size > expected) await rm(part, { force: true });
    throw new SeedcastError(
      size > expected ? 'AGGREGATOR_VERIFY' : 'AGGREGATOR_FETCH',
      `${finalUrl}: got ${size} of ${expected} bytes`,
    );
  }
  if (
    options.integrity &&
    options.integrity.length > 0 &&
    !(await matchesIntegrity(part, options.integrity))
  ) {
    await rm(part, { force: true });
    throw verifyError(finalUrl, 'content does not match the podcast:integrity hash');
  }
  await rename(part, dest);
  return size;
}

/** True when the file matches one of the SRI strings (only sha256/384/512 are considered). */
export async function matchesIntegrity(path: string, sri: string[]): Promise<boolean> {
  const wanted = sri
    .flatMap((s) => s.trim().split(/\s+/))
    .map((s) => /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+=*)/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null);
  if (wanted.length === 0) return true; // nothing we can check
  const algorithms = [...new Set(wanted.map((m) => m[1]!))];
  const hashes = new Map(algorithms.map((a) => [a, createHash(a)]));
  for await (const chunk of createReadStream(path))
    for (const h of hashes.values()) h.update(chunk as Buffer);
  const digests = new Map([...hashes].map(([a, h]) => [a, h.digest('base64')]));
  return wanted.some((m) => digests.get(m[1]!) === m[2]);
}
