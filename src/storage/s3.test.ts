/**
 * The blob store contract against a real S3-compatible server (s3rver on loopback), with the smallest
 * part size S3 allows so that multipart uploads are exercised; plus URL parsing and an unreachable
 * endpoint.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type S3Server, startS3 } from '../../test/helpers/s3.js';
import { freePort } from '../../test/helpers/tools.js';
import { isSeedcastError } from '../errors.js';
import { storeContract } from './contract.js';
import { S3Store } from './s3.js';
import { MIN_PART_SIZE, parseS3Url } from './s3-url.js';

let server: S3Server | undefined;
let n = 0;

storeContract('S3 (s3rver)', {
  largeSize: 2 * MIN_PART_SIZE + 123_457,
  async setup() {
    server = await startS3();
  },
  async make() {
    // Each store under its own prefix, so stores never see each other's blobs.
    return new S3Store(server!.url(`&partSize=${MIN_PART_SIZE}`).replace('?', `/run-${++n}?`));
  },
  async teardown() {
    await server?.stop();
  },
});

describe('S3 storage URLs', () => {
  test('parse bucket, prefix, endpoint, credentials and options', () => {
    const loc = parseS3Url(
      's3://AK%2F1:se%40cret@media-bucket/site/one?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1',
    );
    assert.deepEqual(loc, {
      bucket: 'media-bucket',
      prefix: 'site/one/',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      partSize: 8 * 1024 * 1024,
      credentials: { accessKeyId: 'AK/1', secretAccessKey: 'se@cret' },
    });
    const aws = parseS3Url('s3://plain-bucket', {});
    assert.equal(aws.forcePathStyle, false);
    assert.equal(aws.prefix, '');
    assert.equal(aws.region, 'us-east-1');
    assert.equal(aws.credentials, undefined);
    assert.equal(parseS3Url('s3://b-1?endpoint=https://x.example&pathStyle=false').forcePathStyle, false);
  });

  test('refuse what they cannot mean with STORAGE_CONFIG', () => {
    for (const bad of [
      'http://bucket',
      's3://',
      's3://UPPER',
      's3://b?endpoint=ftp://x',
      's3://bucket?endpoint=not a url',
      's3://bucket?partSize=1024',
      's3://bucket?pathStyle=maybe',
      's3://bucket?colour=blue',
      's3://bucket/a%2F..%2Fb',
      's3://onlykey@bucket',
      'not a url',
    ]) {
      assert.throws(
        () => parseS3Url(bad),
        (err) => isSeedcastError(err, 'STORAGE_CONFIG'),
        bad,
      );
    }
  });

  test('an unreachable endpoint is STORAGE_UNAVAILABLE', async () => {
    const port = await freePort();
    const store = new S3Store(`s3://K:S@bucket?endpoint=http://127.0.0.1:${port}`);
    try {
      await assert.rejects(store.head('x'), (err) => isSeedcastError(err, 'STORAGE_UNAVAILABLE'));
      await assert.rejects(store.put('x', Buffer.from('1')), (err) =>
        isSeedcastError(err, 'STORAGE_UNAVAILABLE'),
      );
    } finally {
      await store.close();
    }
  });
});
