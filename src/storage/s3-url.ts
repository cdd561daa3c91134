/**
 * `SEEDCAST_STORAGE_URL` for S3-compatible services:
 *
 *   s3://[ACCESS_KEY:SECRET@]BUCKET[/PREFIX]?endpoint=URL&region=R&pathStyle=true|false&partSize=BYTES
 *
 * - `endpoint`: the service's base URL (MinIO, Garage, a test server); absent means AWS itself.
 * - `region`: default `$AWS_REGION`, else `us-east-1`.
 * - `pathStyle`: bucket in the path instead of the host name; default true when an endpoint is given
 *   (what most S3-compatible services expect), false for AWS.
 * - `partSize`: multipart part size, at least 5 MiB (S3's minimum), default 8 MiB.
 * - credentials: percent-encoded in the URL's user info, or else the AWS SDK's usual chain
 *   (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, profiles, instance roles).
 * - PREFIX: whole key segments every blob key is stored under.
 */

import { SeedcastError } from '../errors.js';
import { invalidKeyReason } from './keys.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;

export interface S3Location {
  bucket: string;
  /** '' or segments ending in '/'. */
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  partSize: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function fail(detail: string): never {
  throw new SeedcastError('STORAGE_CONFIG', detail);
}

/** Parses an `s3://` storage URL (throws STORAGE_CONFIG naming what is wrong). */
export function parseS3Url(text: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail('not a URL');
  }
  if (url.protocol !== 's3:') fail(`unsupported storage scheme "${url.protocol}" (use s3://)`);
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fail(`"${bucket}" is not a valid bucket name`);
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (path && invalidKeyReason(path)) fail(`bad prefix "${path}": ${invalidKeyReason(path)}`);

  const known = new Set(['endpoint', 'region', 'pathStyle', 'partSize']);
  for (const name of url.searchParams.keys()) if (!known.has(name)) fail(`unknown parameter "${name}"`);

  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      fail('endpoint is not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      fail('endpoint must be http:// or https://');
  }
  const pathStyle = url.searchParams.get('pathStyle');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false')
    fail('pathStyle must be true or false');
  const partText = url.searchParams.get('partSize');
  const partSize = partText === null ? DEFAULT_PART_SIZE : Number(partText);
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    fail(`partSize must be an integer from ${MIN_PART_SIZE} to ${MAX_PART_SIZE}`);
  }

  const location: S3Location = {
    bucket,
    prefix: path ? `${path}/` : '',
    region: url.searchParams.get('region') || env.AWS_REGION || 'us-east-1',
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    partSize,
  };
  if (endpoint !== undefined) location.endpoint = endpoint;
  if (url.username || url.password) {
    if (!url.username || !url.password) fail('give both the access key and the secret, or neither');
    location.credentials = {
      accessKeyId: decodeURIComponent(url.username),
      secretAccessKey: decodeURIComponent(url.password),
    };
  }
  return location;
}
