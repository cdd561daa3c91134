/**
 * A real S3-compatible server for tests: `s3rver` (an npm dev dependency, so always present) on
 * 127.0.0.1 at a free port, keeping its objects in a temporary folder, with one bucket, stopped and
 * removed after. Requests are signed with s3rver's fixed test credentials.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './tools.js';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** `s3://S3RVER:S3RVER@bucket?endpoint=...` plus any extra query text (e.g. `&partSize=...`). */
  url(extra?: string): string;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'seedcast-test'): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const directory = mkdtempSync(join(tmpdir(), 'seedcast-s3-'));
  const port = await freePort();
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    url: (extra = '') => `s3://S3RVER:S3RVER@${bucket}?endpoint=${encodeURIComponent(endpoint)}${extra}`,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
