/**
 * A small tus 1.0 client (core + creation) for `seedcast publish`: uploads one file to a site's
 * `/api/v1/uploads` in chunks, each PATCH body read from disk as a slice (never the whole file in
 * memory). The upload's URL is remembered in `$SEEDCAST_HOME/uploads.json` under the site, the
 * file's real path, size and modification time, so a publish cut short (Ctrl-C, a lost connection,
 * the site restarting) resumes where the site's HEAD says when run again. Network failures mid-file
 * are retried a few times, re-reading the offset with HEAD each time.
 */

import { openAsBlob } from 'node:fs';
import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedcastHome } from '../aggregator/paths.js';
import { SeedcastError } from '../errors.js';

const TUS = { 'Tus-Resumable': '1.0.0' };
const DEFAULT_CHUNK = 32 * 1024 * 1024;
const RETRIES = 5;

export interface TusUploadOptions {
  server: string;
  token: string;
  path: string;
  /** Bytes per PATCH (default 32 MiB). */
  chunkBytes?: number;
  /** Where upload URLs are remembered (default `$SEEDCAST_HOME/uploads.json`). */
  stateFile?: string;
  onProgress?(offset: number, total: number): void;
}

export interface TusUploaded {
  /** The upload's id, for `POST /api/v1/items` `upload`. */
  id: string;
  /** Bytes already on the site when this run started (0 for a new upload). */
  resumedFrom: number;
  /** Forget the upload (once it is published). */
  forget(): Promise<void>;
}

type State = Record<string, string>;

async function readState(file: string): Promise<State> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as State) : {};
  } catch {
    return {};
  }
}

async function writeState(file: string, state: State): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new SeedcastError('NOT_FOUND', `cannot reach ${new URL(url).origin}: ${(err as Error).message}`);
  }
}

async function refusal(response: Response, what: string): Promise<SeedcastError> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code: string; message: string } }
    | undefined;
  const reason = body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`;
  return new SeedcastError('INTERNAL', `the site refused the ${what} (${reason})`);
}

/** The site's offset for `url`, or undefined when the upload is gone or is another file's. */
async function offsetOf(
  url: string,
  auth: Record<string, string>,
  size: number,
): Promise<number | undefined> {
  const res = await call(url, { method: 'HEAD', headers: { ...TUS, ...auth } });
  if (res.status === 404 || res.status === 410) return undefined;
  if (!res.ok) throw await refusal(res, 'upload');
  if (Number(res.headers.get('upload-length')) !== size) return undefined;
  const offset = Number(res.headers.get('upload-offset'));
  return Number.isSafeInteger(offset) && offset >= 0 && offset <= size ? offset : undefined;
}

/**
 * Uploads `path` with tus, resuming a remembered upload of the same file. Resolves with the upload's
 * id; undefined when the site has no tus endpoint (publish with multipart then).
 */
export async function tusUpload(options: TusUploadOptions): Promise<TusUploaded | undefined> {
  const auth = { Authorization: `Bearer ${options.token}` };
  const info = await stat(options.path);
  const size = info.size;
  const stateFile = options.stateFile ?? join(seedcastHome(), 'uploads.json');
  const key = `${new URL(options.server).origin} ${await realpath(options.path)} ${size} ${Math.floor(info.mtimeMs)}`;
  const state = await readState(stateFile);

  let url = state[key];
  let offset = url ? await offsetOf(url, auth, size) : undefined;
  const resumedFrom = offset ?? 0;
  if (offset === undefined) {
    const name = Buffer.from(basename(options.path)).toString('base64');
    const res = await call(new URL('/api/v1/uploads', options.server).href, {
      method: 'POST',
      headers: { ...TUS, ...auth, 'Upload-Length': String(size), 'Upload-Metadata': `filename ${name}` },
    });
    if (res.status === 404 || res.status === 405) return undefined;
    if (res.status !== 201 || !res.headers.get('location')) throw await refusal(res, 'upload');
    url = new URL(res.headers.get('location')!, options.server).href;
    offset = 0;
    state[key] = url;
    await writeState(stateFile, state);
  }

  const blob = await openAsBlob(options.path);
  const chunk = options.chunkBytes ?? DEFAULT_CHUNK;
  let failures = 0;
  options.onProgress?.(offset, size);
  while (offset < size) {
    const end = Math.min(size, offset + chunk);
    let res: Response | undefined;
    try {
      res = await fetch(url!, {
        method: 'PATCH',
        headers: {
          ...TUS,
          ...auth,
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(offset),
        },
        body: blob.slice(offset, end),
      });
    } catch (err) {
      if (++failures > RETRIES)
        throw new SeedcastError('NOT_FOUND', `upload interrupted: ${(err as Error).message}`);
    }
    if (res?.status === 204) {
      offset = Number(res.headers.get('upload-offset'));
      failures = 0;
      options.onProgress?.(offset, size);
      continue;
    }
    if (res && res.status !== 409 && res.status !== 423 && res.status < 500)
      throw await refusal(res, 'upload');
    if (res && ++failures > RETRIES) throw await refusal(res, 'upload');
    await sleep(Math.min(8000, 500 * 2 ** failures));
    const now = await offsetOf(url!, auth, size).catch(() => offset);
    if (now === undefined) throw new SeedcastError('INTERNAL', 'the site dropped the upload; run again');
    offset = now;
  }
  return {
    id: new URL(url!).pathname.split('/').pop()!,
    resumedFrom,
    async forget() {
      const latest = await readState(stateFile);
      delete latest[key];
      await writeState(stateFile, latest);
    },
  };
}
