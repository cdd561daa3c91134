/**
 * End to end, the archiving of torrent-only items under hostile conditions (issue 15, findings 1,
 * 7, 8 and 13), through `startServer` (real HTTP, tracker and peer on loopback) with publishers'
 * seeders that are real BitTorrent peers over TCP:
 * - takedown and delete in the middle of archiving stop the session at once (the site's peer no
 *   longer answers a handshake for the hash), remove `DATA/tmp/archive/<id>`, and a restart does not
 *   start it again;
 * - at most `archiveConcurrency` items download at once, the others wait in the queue;
 * - with no verified piece for the stall time the item says it gave up, stays so after a restart,
 *   and "try again" archives it;
 * - a full disk (ENOSPC injected at the engine's FileStore) or a failing blob store fails that item only:
 *   the process and the other items carry on, and the item says why;
 * - the free-space guard refuses to start an archive that would eat the reserve; a disk that fills
 *   up during an upload is 507 DISK_FULL (and the connection is closed, not held);
 * - a publish cut short by a crash (a hidden pending item) does not block publishing the same
 *   torrent after a restart.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Config, DEFAULT_QUOTAS, type QuotaConfig } from '../src/config.js';
import { FileStore } from '../src/engine/index.js';
import { type RunningServer, type ServerExtras, startServer } from '../src/server.js';
import type { BlobStore } from '../src/storage/index.js';
import type { Metainfo } from '../src/torrent/index.js';
import {
  account,
  answersHandshake,
  call,
  jsonBody,
  makeContent,
  publishTorrent,
  startSeeder,
  waitForItem,
} from './archive-fixtures.js';
import { freePort, tempDir } from './helpers/tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function siteConfig(dir: string, quotas: Partial<QuotaConfig> = {}): Promise<Partial<Config>> {
  return {
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: await freePort(),
    data: join(dir, 'data'),
    quotas: { ...DEFAULT_QUOTAS, ...quotas },
  };
}

/** A site that the test closes at the end, whatever it became after restarts. */
async function open(
  t: { after(fn: () => unknown): void },
  config: Partial<Config>,
  extras: ServerExtras = {},
): Promise<{ current: RunningServer; restart(): Promise<RunningServer> }> {
  const holder = { current: await startServer(config, extras) };
  t.after(() => holder.current.close());
  return {
    get current() {
      return holder.current;
    },
    async restart() {
      await holder.current.close();
      holder.current = await startServer(config, extras);
      return holder.current;
    },
  };
}

for (const how of ['takedown', 'delete'] as const) {
  test(`${how} in the middle of archiving stops the session at once, removes the partial data, and a restart does not resume it`, {
    timeout: 120_000,
  }, async (t) => {
    const dir = tempDir(t, `seedcast-archive-${how}-`);
    const config = await siteConfig(dir);
    const site = await open(t, config);
    const base = site.current.url;
    const admin = await account(base, 'admin');
    const content = await makeContent(dir, 'show', `${base}/announce`);
    const published = await publishTorrent(base, admin, content.torrent);
    assert.equal(published.status, 201, JSON.stringify(published.body));
    const id: number = published.body.id;
    // The publisher has only half: archiving gets 8 pieces of 16, then waits for the rest.
    await startSeeder(t, dir, content, `${base}/announce`, { half: true });
    await waitForItem(base, id, (i) => i.archiving?.have === 8, 60_000);
    const folder = join(config.data!, 'tmp', 'archive', String(id));
    assert.ok(existsSync(folder), 'partial data while archiving');
    const peerPort = site.current.peerPort;
    assert.equal(
      await answersHandshake(peerPort, content.infoHash),
      true,
      'the archiving session serves the hash',
    );

    const res =
      how === 'takedown'
        ? await call(base, `/api/v1/items/${id}/takedown`, jsonBody({ reason: 'a complaint' }, admin))
        : await call(base, `/api/v1/items/${id}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${admin}` },
          });
    assert.equal(res.status, how === 'takedown' ? 200 : 204, JSON.stringify(res.body));
    assert.equal(existsSync(folder), false, 'the partial download is removed at once');
    assert.equal(
      await answersHandshake(peerPort, content.infoHash),
      false,
      'no session serves the hash any more',
    );

    await site.restart();
    await sleep(1500);
    assert.equal(existsSync(folder), false, 'not started again after a restart');
    assert.equal(
      await answersHandshake(peerPort, content.infoHash),
      false,
      'nothing serves it after a restart',
    );
  });
}

test('at most `archiveConcurrency` items download at once; the others wait in the queue', {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-queue-');
  const site = await open(t, await siteConfig(dir, { archiveConcurrency: 1 }));
  const base = site.current.url;
  const token = await account(base, 'admin');
  const ids: number[] = [];
  for (const name of ['one', 'two', 'three']) {
    const content = await makeContent(dir, name, `${base}/announce`);
    const res = await publishTorrent(base, token, content.torrent, name);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.id);
  }
  const first = await waitForItem(base, ids[0]!, (i) => i.archive?.phase === 'downloading', 30_000);
  assert.ok(first.archiving, 'progress while downloading');
  for (const id of ids.slice(1)) {
    const item = (await call(base, `/api/v1/items/${id}`)).body;
    assert.deepEqual(item.archive, { state: 'waiting', phase: 'queued' }, JSON.stringify(item.archive));
    assert.equal(item.archiving, undefined, 'a queued item has no session');
  }
  // The first one leaves: the next in line starts, the last one still waits.
  const gone = await call(base, `/api/v1/items/${ids[0]}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(gone.status, 204);
  await waitForItem(base, ids[1]!, (i) => i.archive?.phase === 'downloading', 30_000);
  assert.equal((await call(base, `/api/v1/items/${ids[2]}`)).body.archive.phase, 'queued');
});

test('archiving with no progress gives up after the stall time, says so, stays so after a restart, and "try again" archives it', {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-stall-');
  const site = await open(t, await siteConfig(dir, { archiveStallMs: 1500 }));
  const base = site.current.url;
  const token = await account(base, 'admin');
  const content = await makeContent(dir, 'show', `${base}/announce`);
  const { body } = await publishTorrent(base, token, content.torrent);
  const gaveUp = await waitForItem(base, body.id, (i) => i.archive?.phase === 'gave-up', 30_000);
  assert.match(gaveUp.archive.error, /no verified piece for 2 s/);
  const page = await (await fetch(`${base}/items/${body.id}`)).text();
  assert.match(page, /data-archive-state="failed" data-archive-phase="gave-up"/);
  assert.match(page, /failed: no progress, gave up: no verified piece for 2 s/);
  assert.doesNotMatch(page, /Try again/, 'visitors cannot ask again');
  // The owner can, with the page's form.
  const owner = (await site.current.site.users.byName('admin'))!;
  const cookie = `sc_session=${(await site.current.site.sessions.create(owner.id)).cookie}`;
  const ownPage = await (await fetch(`${base}/items/${body.id}`, { headers: { cookie } })).text();
  assert.match(ownPage, new RegExp(`action="/items/${body.id}/archive"`));
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(ownPage)![1]!;
  const asked = await fetch(`${base}/items/${body.id}/archive`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }).toString(),
  });
  assert.equal(asked.status, 303, await asked.text());
  // Nobody seeds it yet: it gives up again.
  await waitForItem(base, body.id, (i) => i.archive?.phase === 'gave-up', 30_000);

  await site.restart();
  const base2 = site.current.url;
  await sleep(1000);
  const after = (await call(base2, `/api/v1/items/${body.id}`)).body;
  assert.equal(after.archive.phase, 'gave-up', 'not started again after a restart');
  assert.equal(after.archiving, undefined);

  await startSeeder(t, dir, content, `${base2}/announce`);
  const again = await call(base2, `/api/v1/items/${body.id}/archive`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  const archived = await waitForItem(base2, body.id, (i) => i.archived, 60_000);
  assert.deepEqual(archived.archive, { state: 'archived', phase: 'done', progress: 1 });
  const bytes = Buffer.from(await (await fetch(archived.files[0].url)).arrayBuffer());
  assert.ok(bytes.equals(content.bytes), 'byte-exact once archived');
});

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}

test('a full disk while archiving fails that item only: it says why and is tried again; the process and other items carry on', {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-enospc-');
  const config = await siteConfig(dir);
  let failHash = '';
  let failFilesOf = -1;
  // The disk of the download folder is full for one torrent (at the engine's FileStore).
  const write = FileStore.prototype.write;
  FileStore.prototype.write = function (this: FileStore, offset: number, data: Uint8Array) {
    const meta = (this as unknown as { meta: Metainfo }).meta;
    return meta.infoHash === failHash ? Promise.reject(enospc()) : write.call(this, offset, data);
  };
  t.after(() => {
    FileStore.prototype.write = write;
  });
  const extras: ServerExtras = {
    // The blob store refuses one item's files.
    wrapBlobs: (blobs: BlobStore): BlobStore =>
      new Proxy(blobs, {
        get(target, prop) {
          if (prop === 'put')
            return (
              key: string,
              ...rest: Parameters<BlobStore['put']> extends [string, ...infer R] ? R : never
            ) =>
              key.startsWith(`files/${failFilesOf}/`) ? Promise.reject(enospc()) : target.put(key, ...rest);
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  };
  const site = await open(t, config, extras);
  const base = site.current.url;
  const token = await account(base, 'admin');
  const [full, blobFail, fine] = await Promise.all(
    ['full', 'blobs', 'fine'].map((n) => makeContent(dir, n, `${base}/announce`)),
  );
  failHash = full!.infoHash;
  const ids: number[] = [];
  for (const content of [full!, blobFail!, fine!]) {
    const res = await publishTorrent(base, token, content.torrent);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.id);
  }
  failFilesOf = ids[1]!;
  for (const content of [full!, blobFail!, fine!]) await startSeeder(t, dir, content, `${base}/announce`);

  const failed = await waitForItem(base, ids[0]!, (i) => i.archive?.state === 'failed', 60_000);
  assert.match(failed.archive.error, /ENOSPC/);
  assert.equal(failed.archive.attempts, 1);
  assert.ok(Date.parse(failed.archive.retryAt) > Date.now(), 'tried again later');
  assert.equal(failed.archived, false);
  const storeFailed = await waitForItem(base, ids[1]!, (i) => i.archive?.state === 'failed', 60_000);
  assert.match(storeFailed.archive.error, /ENOSPC/);
  assert.deepEqual(
    storeFailed.files.map((f: { url: string | null }) => f.url),
    [null],
  );
  const archived = await waitForItem(base, ids[2]!, (i) => i.archived, 60_000);
  assert.ok(Buffer.from(await (await fetch(archived.files[0].url)).arrayBuffer()).equals(fine!.bytes));
  assert.equal((await call(base, '/healthz')).status, 200, 'the site is up');
  const page = await (await fetch(`${base}/items/${ids[0]}`)).text();
  assert.match(page, /failed: [^<]*ENOSPC/);
  assert.match(page, /ENOSPC/);
});

test('the free-space guard refuses to start an archive that would eat the reserve, and says so on the item', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-disk-');
  const site = await open(t, await siteConfig(dir, { minFreeBytes: 2 ** 52 }));
  const base = site.current.url;
  const token = await account(base, 'admin');
  const content = await makeContent(dir, 'show', `${base}/announce`);
  const { body } = await publishTorrent(base, token, content.torrent);
  const item = await waitForItem(base, body.id, (i) => i.archive?.state === 'failed', 30_000);
  assert.match(item.archive.error, /not enough free disk space/);
  assert.equal(existsSync(join(dir, 'data', 'tmp', 'archive', String(body.id))), false, 'nothing downloaded');
});

test('a publish cut short by a crash leaves no hidden item that blocks publishing the same torrent after a restart', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-pending-');
  const site = await open(t, await siteConfig(dir));
  const token = await account(site.current.url, 'admin');
  const content = await makeContent(dir, 'show', `${site.current.url}/announce`);
  // What a crash between recording the item and marking it ready leaves behind.
  const owner = (await site.current.site.users.byName('admin'))!;
  await site.current.site.items.create({
    ownerId: owner.id,
    title: 'Cut short',
    status: 'pending',
    torrentOnly: true,
    infoHash: content.infoHash,
    files: [{ path: 'show.bin', length: content.bytes.length, blobKey: null, mimeType: null, sha256: null }],
  });
  const blocked = await publishTorrent(site.current.url, token, content.torrent);
  assert.equal(blocked.status, 409, 'the hidden item holds the info hash');

  await site.restart();
  const res = await publishTorrent(site.current.url, token, content.torrent);
  assert.equal(res.status, 201, JSON.stringify(res.body));
});

test('a disk that fills up during an upload is 507 DISK_FULL, not a crash or a 500', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-upload-enospc-');
  const site = await open(t, await siteConfig(dir), {
    wrapBlobs: (blobs: BlobStore): BlobStore =>
      new Proxy(blobs, {
        get(target, prop) {
          if (prop === 'put')
            return async (
              key: string,
              ...rest: Parameters<BlobStore['put']> extends [string, ...infer R] ? R : never
            ) => {
              if (!key.startsWith('files/')) return target.put(key, ...rest);
              const body = rest[0];
              if (body && Symbol.asyncIterator in body) for await (const _ of body) break; // some bytes arrive
              throw enospc();
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  });
  const base = site.current.url;
  const token = await account(base, 'admin');
  const form = new FormData();
  form.append('title', 'Big');
  form.append('file', new Blob([Buffer.alloc(200_000, 3)]), 'big.bin');
  const res = await call(base, '/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 507, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'DISK_FULL');
  assert.equal((await call(base, '/healthz')).status, 200);
});
