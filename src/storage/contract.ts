/**
 * The one contract suite every `BlobStore` adapter passes (run by `local-disk.test.ts` and
 * `s3.test.ts`): round trips of streams and buffers, byte ranges, atomic replacement, refusal of
 * bodies that do not match their size or hash (leaving the old blob), failing body streams, key
 * validation, listing by prefix, and blobs larger than one multipart part.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { type BlobStore, readAll } from './blob-store.js';

export interface StoreFactory {
  /** A fresh, empty store. */
  make(): Promise<BlobStore>;
  /** A size that needs more than one upload part (multipart), if the adapter has parts. */
  largeSize: number;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `data` as a stream of uneven chunks. */
function streamOf(data: Buffer, chunk = 65_537): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunk) parts.push(data.subarray(at, at + chunk));
  return Readable.from(parts);
}

function failing(after: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield after;
      throw new Error('the client went away');
    })(),
  );
}

const code = (c: string) => (err: unknown) => isSeedcastError(err) && err.code === c;

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    before(async () => {
      await factory.setup?.();
      store = await factory.make();
    });
    after(async () => {
      await store?.close();
      await factory.teardown?.();
    });

    test('a streamed put reads back byte for byte, with its size and SHA-256', async () => {
      const data = randomBytes(300_001);
      const put = await store.put('items/1/files/0', streamOf(data), {
        size: data.length,
        sha256: sha256(data),
      });
      assert.deepEqual(put, { key: 'items/1/files/0', size: data.length, sha256: sha256(data) });
      assert.ok((await readAll(await store.get('items/1/files/0'))).equals(data));
      const info = await store.head('items/1/files/0');
      assert.equal(info?.size, data.length);
      assert.equal(info?.key, 'items/1/files/0');
      assert.ok(info && info.etag.length > 0 && info.modified > 0);
    });

    test('buffers and empty blobs round-trip', async () => {
      await store.put('small/buffer', Buffer.from('hello, swarm'));
      assert.equal((await readAll(await store.get('small/buffer'))).toString(), 'hello, swarm');
      const empty = await store.put('small/empty', Readable.from([]), { size: 0 });
      assert.equal(empty.sha256, sha256(Buffer.alloc(0)));
      assert.equal((await store.head('small/empty'))?.size, 0);
      assert.equal((await readAll(await store.get('small/empty'))).length, 0);
    });

    test('a byte range gives exactly those bytes; a range past the end is STORAGE_RANGE', async () => {
      const data = randomBytes(10_000);
      await store.put('ranges/blob', data);
      const cases: [number | undefined, number | undefined, number, number][] = [
        [0, 1, 0, 1],
        [1234, 4000, 1234, 5234],
        [9_999, 1, 9_999, 10_000],
        [5000, undefined, 5000, 10_000],
        [undefined, 77, 0, 77],
        [10_000, undefined, 10_000, 10_000],
        [10_000, 0, 10_000, 10_000],
        [3, 0, 3, 3],
      ];
      for (const [offset, length, from, to] of cases) {
        const got = await readAll(await store.get('ranges/blob', { offset, length }));
        assert.ok(got.equals(data.subarray(from, to)), `offset ${offset} length ${length}`);
      }
      for (const [offset, length] of [
        [9_999, 2],
        [10_001, undefined],
        [20_000, 5],
        [-1, 5],
        [0, -1],
        [1.5, 2],
      ] as const) {
        await assert.rejects(
          store.get('ranges/blob', { offset, length }),
          code('STORAGE_RANGE'),
          `${offset}+${length}`,
        );
      }
    });

    test('a missing blob: get is STORAGE_NOT_FOUND, head is undefined, delete succeeds', async () => {
      await assert.rejects(store.get('nothing/here'), code('STORAGE_NOT_FOUND'));
      await assert.rejects(store.get('nothing/here', { offset: 0, length: 0 }), code('STORAGE_NOT_FOUND'));
      assert.equal(await store.head('nothing/here'), undefined);
      await store.delete('nothing/here');
      await store.put('to-delete/x', Buffer.from('x'));
      await store.delete('to-delete/x');
      assert.equal(await store.head('to-delete/x'), undefined);
      await assert.rejects(store.get('to-delete/x'), code('STORAGE_NOT_FOUND'));
    });

    test('a put replaces the whole blob and its etag', async () => {
      const first = randomBytes(5000);
      const second = randomBytes(5000);
      await store.put('replace/me', first);
      const before = await store.head('replace/me');
      await store.put('replace/me', streamOf(second, 999));
      const after = await store.head('replace/me');
      assert.ok((await readAll(await store.get('replace/me'))).equals(second));
      assert.notEqual(after?.etag, before?.etag);
    });

    test('a body that does not match its size or hash is refused and the old blob stays', async () => {
      const old = Buffer.from('the old content');
      await store.put('checked/blob', old);
      const data = randomBytes(4096);
      const refusals = [
        { size: data.length + 1 },
        { size: data.length - 1 },
        { sha256: sha256(old) },
        { size: data.length, sha256: 'f'.repeat(64) },
      ];
      for (const options of refusals) {
        await assert.rejects(
          store.put('checked/blob', streamOf(data, 1000), options),
          code('STORAGE_INTEGRITY'),
        );
        assert.ok((await readAll(await store.get('checked/blob'))).equals(old), JSON.stringify(options));
        await assert.rejects(store.put('checked/new', data, options), code('STORAGE_INTEGRITY'));
        assert.equal(await store.head('checked/new'), undefined);
      }
      await assert.rejects(store.put('checked/new', data, { sha256: 'not hex' }), code('STORAGE_INTEGRITY'));
    });

    test('a body stream that fails stores nothing', async () => {
      await assert.rejects(store.put('broken/upload', failing(randomBytes(1000))), /the client went away/);
      assert.equal(await store.head('broken/upload'), undefined);
      const collect: string[] = [];
      for await (const info of store.list('broken/')) collect.push(info.key);
      assert.deepEqual(collect, []);
    });

    test('invalid keys are refused before anything is touched', async () => {
      const bad = [
        '',
        '/abs',
        'a//b',
        'a/',
        '../x',
        'a/../b',
        'a/./b',
        '.hidden',
        'a/.tmp/x',
        'a\\b',
        'a b',
        'é',
        'a\0b',
        'x'.repeat(600),
      ];
      for (const key of bad) {
        await assert.rejects(
          store.put(key, Buffer.from('x')),
          code('STORAGE_KEY_INVALID'),
          JSON.stringify(key),
        );
        await assert.rejects(store.get(key), code('STORAGE_KEY_INVALID'), JSON.stringify(key));
        await assert.rejects(store.head(key), code('STORAGE_KEY_INVALID'), JSON.stringify(key));
        await assert.rejects(store.delete(key), code('STORAGE_KEY_INVALID'), JSON.stringify(key));
      }
      await assert.rejects(async () => {
        for await (const _ of store.list('../')) break;
      }, code('STORAGE_KEY_INVALID'));
    });

    test('list yields the blobs under a prefix with their sizes', async () => {
      const keys = ['lst/b/2', 'lst/a', 'lst/b/10', 'lst/b-c', 'lst/bz', 'lstx/a'];
      for (const [i, key] of keys.entries()) await store.put(key, Buffer.alloc(i + 1, i));
      const list = async (prefix: string) => {
        const out: [string, number][] = [];
        for await (const info of store.list(prefix)) out.push([info.key, info.size]);
        return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      };
      assert.deepEqual(await list('lst/'), [
        ['lst/a', 2],
        ['lst/b-c', 4],
        ['lst/b/10', 3],
        ['lst/b/2', 1],
        ['lst/bz', 5],
      ]);
      assert.deepEqual(
        (await list('lst/b')).map(([k]) => k),
        ['lst/b-c', 'lst/b/10', 'lst/b/2', 'lst/bz'],
      );
      assert.deepEqual(
        (await list('lst/b/')).map(([k]) => k),
        ['lst/b/10', 'lst/b/2'],
      );
      assert.deepEqual(await list('nothing-like-it/'), []);
      assert.ok((await list('')).some(([k]) => k === 'lstx/a'));
    });

    test('a blob larger than one upload part round-trips, and a mismatch stores nothing', async () => {
      const data = randomBytes(factory.largeSize);
      const put = await store.put('large/blob', streamOf(data, 256 * 1024 + 3), { size: data.length });
      assert.equal(put.sha256, sha256(data));
      assert.equal((await store.head('large/blob'))?.size, data.length);
      assert.equal(sha256(await readAll(await store.get('large/blob'))), sha256(data));
      const mid = Math.floor(data.length / 2);
      const slice = await readAll(await store.get('large/blob', { offset: mid - 1000, length: 2000 }));
      assert.ok(slice.equals(data.subarray(mid - 1000, mid + 1000)));
      await assert.rejects(
        store.put('large/wrong', streamOf(data, 1 << 20), { sha256: '0'.repeat(64) }),
        code('STORAGE_INTEGRITY'),
      );
      assert.equal(await store.head('large/wrong'), undefined);
      await assert.rejects(
        store.put('large/wrong', streamOf(data, 1 << 20), { size: 100 }),
        code('STORAGE_INTEGRITY'),
      );
      assert.equal(await store.head('large/wrong'), undefined);
    });

    test('concurrent puts to one key leave one whole body', async () => {
      for (let round = 0; round < 5; round++) {
        const bodies = [randomBytes(200_000), randomBytes(200_000), randomBytes(200_000)];
        await Promise.all(bodies.map((b) => store.put('race/blob', streamOf(b, 10_000))));
        const got = await readAll(await store.get('race/blob'));
        assert.ok(
          bodies.some((b) => b.equals(got)),
          `round ${round}: the blob is none of the bodies put`,
        );
      }
    });
  });
}
