/**
 * Configuration and composition: flags win over `SEEDCAST_*` variables, which win over the defaults;
 * bad values are usage errors. `startServer` opens the database and blob store in the data folder,
 * serves the tracker over HTTP and UDP on one port number (allow-listing only the site's items),
 * listens with the seeding peer, answers `/healthz` (503 when the database is gone) and `/metrics`,
 * and frees every port when closed.
 */

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_QUOTAS, readConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { isSeedcastError } from '../src/errors.js';
import { startServer } from '../src/server.js';
import { freePort, tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite } from './site-fixtures.js';

test('configuration: flags over environment over defaults, frozen, bad values refused', () => {
  const defaults = readConfig({}, {});
  assert.deepEqual(defaults, {
    host: '127.0.0.1',
    port: 8080,
    data: resolve('seedcast-data'),
    peerPort: 0,
    publicUrl: undefined,
    databaseUrl: undefined,
    storageUrl: undefined,
    redisUrl: undefined,
    archive: true,
    recheck: false,
    limits: {},
    metricsToken: undefined,
    allowPrivateUrls: false,
    trustProxy: false,
    quotas: DEFAULT_QUOTAS,
    trackerGrace: 600,
    dht: { enabled: true, bootstrap: undefined },
    webrtc: { enabled: true, maxConnections: 200, stun: [] },
    jobs: { queue: 'embedded', workers: 1, leaseMs: 30_000 },
    mail: { smtpUrl: undefined, mailFrom: undefined },
    fixity: { enabled: true, periodMs: 30 * 86_400_000, bytesPerSecond: 8 * 1024 * 1024 },
    cluster: undefined,
    logLevel: undefined,
    torrentFormat: 'v1',
  });
  assert.ok(Object.isFrozen(defaults));
  // The tracker's grace window for torrents not yet published (issue 16): a duration, or 0/off.
  assert.equal(readConfig({}, { SEEDCAST_TRACKER_GRACE: '2m' }).trackerGrace, 120);
  assert.equal(readConfig({ trackerGrace: '0' }, { SEEDCAST_TRACKER_GRACE: '2m' }).trackerGrace, 0);
  assert.equal(readConfig({}, { SEEDCAST_TRACKER_GRACE: 'off' }).trackerGrace, 0);
  assert.throws(() => readConfig({ trackerGrace: 'soon' }, {}), /--tracker-grace must be a duration/);
  // SEEDCAST_LIMITS, then each --limit (later names win); a bad spec is a usage error
  const limited = readConfig(
    { limits: ['comments=5/1m', 'body-timeout=2s'] },
    { SEEDCAST_LIMITS: 'comments=30/1h,uploads=off', SEEDCAST_METRICS_TOKEN: 'm' },
  );
  assert.deepEqual(limited.limits, {
    actions: { comments: { max: 5, timeWindow: 60_000 }, uploads: null },
    timeouts: { body: 2000 },
  });
  assert.equal(limited.metricsToken, 'm');
  assert.throws(() => readConfig({}, { SEEDCAST_LIMITS: 'comments=many' }), /limit comments/);
  assert.equal(readConfig({}, { SEEDCAST_ARCHIVE: '0' }).archive, false);
  assert.equal(readConfig({}, { SEEDCAST_ARCHIVE: 'off' }).archive, false);
  assert.equal(readConfig({ archive: true }, { SEEDCAST_ARCHIVE: 'no' }).archive, true);
  assert.equal(readConfig({ archive: false }, {}).archive, false);
  const env = {
    SEEDCAST_HOST: '0.0.0.0',
    SEEDCAST_PORT: '9000',
    SEEDCAST_DATA: '/srv/seedcast',
    SEEDCAST_PUBLIC_URL: 'https://media.example.org/',
    SEEDCAST_DATABASE_URL: 'postgres://db/seedcast',
    SEEDCAST_STORAGE_URL: 's3://bucket?endpoint=http://s3:9000',
    SEEDCAST_REDIS_URL: 'redis://cache:6379',
  };
  const fromEnv = readConfig({}, env);
  assert.equal(fromEnv.host, '0.0.0.0');
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.data, '/srv/seedcast');
  assert.equal(fromEnv.publicUrl, 'https://media.example.org');
  assert.equal(fromEnv.databaseUrl, 'postgres://db/seedcast');
  assert.equal(fromEnv.storageUrl, 's3://bucket?endpoint=http://s3:9000');
  assert.equal(fromEnv.redisUrl, 'redis://cache:6379');
  const flags = readConfig(
    { host: '::1', port: 8081, data: 'here', peerPort: 6881, publicUrl: 'http://localhost:8081' },
    env,
  );
  assert.equal(flags.host, '::1');
  assert.equal(flags.port, 8081);
  assert.equal(flags.data, resolve('here'));
  assert.equal(flags.peerPort, 6881);
  assert.equal(flags.publicUrl, 'http://localhost:8081');
  for (const bad of [
    { SEEDCAST_PORT: 'eighty' },
    { SEEDCAST_PORT: '70000' },
    { SEEDCAST_PUBLIC_URL: 'ftp://x' },
    { SEEDCAST_ARCHIVE: 'maybe' },
  ])
    assert.throws(
      () => readConfig({}, bad),
      (e) => isSeedcastError(e, 'USAGE'),
      JSON.stringify(bad),
    );
});

test('configuration: the DHT: --no-dht and --dht-bootstrap over SEEDCAST_DHT and SEEDCAST_DHT_BOOTSTRAP', () => {
  const env = { SEEDCAST_DHT_BOOTSTRAP: 'a.example:6881, 192.0.2.1:1' };
  assert.deepEqual(readConfig({}, env).dht, { enabled: true, bootstrap: ['a.example:6881', '192.0.2.1:1'] });
  assert.deepEqual(readConfig({ dhtBootstrap: ['[::1]:6881', 'b:2'] }, env).dht.bootstrap, [
    '[::1]:6881',
    'b:2',
  ]);
  assert.deepEqual(readConfig({}, { SEEDCAST_DHT_BOOTSTRAP: 'none' }).dht.bootstrap, []);
  assert.equal(readConfig({}, { SEEDCAST_DHT: '0' }).dht.enabled, false);
  assert.equal(readConfig({ noDht: true }, {}).dht.enabled, false);
  for (const bad of ['router', 'host:0', 'host:99999', ':6881', 'none:x'])
    assert.throws(
      () => readConfig({ dhtBootstrap: [bad] }, {}),
      (e) => isSeedcastError(e, 'USAGE'),
      bad,
    );
  assert.throws(
    () => readConfig({}, { SEEDCAST_DHT: 'maybe' }),
    (e) => isSeedcastError(e, 'USAGE'),
  );
});

test('configuration: --allow-private-urls and --trust-proxy (true, hop count, addresses/CIDRs)', () => {
  assert.equal(readConfig({}, { SEEDCAST_ALLOW_PRIVATE_URLS: '1' }).allowPrivateUrls, true);
  assert.equal(
    readConfig({ allowPrivateUrls: true }, { SEEDCAST_ALLOW_PRIVATE_URLS: '0' }).allowPrivateUrls,
    true,
  );
  assert.equal(readConfig({}, { SEEDCAST_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(readConfig({}, { SEEDCAST_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(
    readConfig({ trustProxy: '127.0.0.1, 10.0.0.0/8,::1' }, { SEEDCAST_TRUST_PROXY: '1' }).trustProxy,
    ['127.0.0.1', '10.0.0.0/8', '::1'],
  );
  assert.deepEqual(readConfig({}, { SEEDCAST_TRUST_PROXY: 'loopback' }).trustProxy, ['loopback']);
  for (const bad of [
    { SEEDCAST_TRUST_PROXY: 'proxy.example.org' },
    { SEEDCAST_TRUST_PROXY: '10.0.0.0/33' },
    { SEEDCAST_TRUST_PROXY: '10.0.0.1/8/1' },
    { SEEDCAST_ALLOW_PRIVATE_URLS: 'sometimes' },
  ])
    assert.throws(
      () => readConfig({}, bad),
      (e) => isSeedcastError(e, 'USAGE'),
      JSON.stringify(bad),
    );
});

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

test('startServer: database and blobs in the data folder, tracker on HTTP and UDP, ports freed on close', async (t) => {
  const dir = tempDir(t, 'seedcast-server-');
  const port = await freePort();
  const server = await startServer({ host: '127.0.0.1', port, data: join(dir, 'data') });
  let closed = false;
  t.after(() => (closed ? undefined : server.close()));
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  assert.ok(existsSync(join(dir, 'data', 'seedcast.db')), 'SQLite in the data folder');
  assert.ok(server.peerPort > 0);

  const health = await fetch(`${server.url}/healthz`);
  assert.deepEqual(await health.json(), { status: 'ok', addon: 'native' }, 'the C addon is built and in use');
  const metrics = await fetch(`${server.url}/metrics`);
  assert.match(await metrics.text(), /^# (HELP|TYPE) /m);
  const unknown = await fetch(
    `${server.url}/announce?info_hash=${'%ab'.repeat(20)}&peer_id=${'-XX0000-'.padEnd(20, '0')}&port=1&left=1`,
  );
  // A hash not (yet) published is tracked for the grace window only: no peers, a short interval.
  assert.equal(
    await unknown.text(),
    'd8:completei0e10:downloadedi0e10:incompletei1e8:intervali60e12:min intervali30e5:peers0:' +
      '15:warning message61:torrent not published here yet: tracked without peers for nowe',
    'an unknown hash gets no peers',
  );
  const notFound = await fetch(`${server.url}/api/v1/nope`);
  assert.equal(notFound.status, 404);
  assert.equal(((await notFound.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const notFoundPage = await fetch(`${server.url}/nope`);
  assert.equal(notFoundPage.status, 404);
  assert.match(notFoundPage.headers.get('content-type') ?? '', /^text\/html/, 'pages answer 404 with a page');

  // BEP 15 connect on the same port number, over UDP.
  const udp = createSocket('udp4');
  t.after(() => udp.close());
  const request = Buffer.alloc(16);
  request.writeBigUInt64BE(0x41727101980n, 0);
  request.writeUInt32BE(0, 8);
  request.writeUInt32BE(0xc0ffee, 12);
  const answer = new Promise<Buffer>((done) => udp.once('message', (msg) => done(msg)));
  udp.send(request, port, '127.0.0.1');
  const msg = await answer;
  assert.equal(msg.length, 16);
  assert.equal(msg.readUInt32BE(0), 0, 'connect answered');
  assert.equal(msg.readUInt32BE(4), 0xc0ffee);

  await server.close();
  closed = true;
  assert.ok(await portIsFree(port), 'the HTTP port is free again');
  assert.ok(await portIsFree(server.peerPort), 'the peer port is free again');
});

test('a restarted site tracks and seeds the items it already has', async (t) => {
  const dir = tempDir(t, 'seedcast-restart-');
  const data = join(dir, 'data');
  const first = await startServer({ host: '127.0.0.1', port: await freePort(), data });
  let item: { id: number; infoHash: string };
  try {
    const auth = await login(first.app);
    const body = multipart([
      { name: 'title', value: 'Kept' },
      { name: 'file', filename: 'kept.ogg', value: Buffer.alloc(70_000, 7) },
    ]);
    const res = await first.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      payload: body.payload,
      headers: { ...body.headers, ...auth },
    });
    assert.equal(res.statusCode, 201, res.body);
    item = res.json();
  } finally {
    await first.close();
  }
  const second = await startServer({ host: '127.0.0.1', port: await freePort(), data });
  t.after(() => second.close());
  const hash = item.infoHash.replace(/../g, '%$&');
  const announce = await second.app.inject({
    url: `/announce?info_hash=${hash}&peer_id=${'-XX0000-'.padEnd(20, '0')}&port=1&left=1`,
  });
  assert.doesNotMatch(announce.body, /failure reason/, 'the item is still tracked');
  const got = await second.app.inject({ url: `/api/v1/items/${item.id}` });
  assert.equal(got.statusCode, 200);
  const file = await second.app.inject({ url: `/items/${item.id}/files/kept.ogg` });
  assert.equal(file.rawPayload.length, 70_000);
  assert.ok(second.site.seeding.isSeeding(item.id), 'the engine seeds it again');
});

test('an oversized upload over a real socket gets a 413 JSON error and leaves nothing staged', async (t) => {
  const dir = tempDir(t, 'seedcast-oversize-');
  const server = await startServer(
    { host: '127.0.0.1', port: await freePort(), data: dir },
    { limits: { uploadBytes: 50_000 } },
  );
  t.after(() => server.close());
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await fetch(`${server.url}/api/v1/users`, json({ username: 'ada', password: 'correct horse' }));
  const tokenRes = await fetch(
    `${server.url}/api/v1/tokens`,
    json({ username: 'ada', password: 'correct horse' }),
  );
  const { token } = (await tokenRes.json()) as { token: string };
  const form = new FormData();
  form.append('title', 'Too big');
  form.append('file', new Blob([new Uint8Array(5_000_000)]), 'big.mp4');
  const res = await fetch(`${server.url}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 413);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'HTTP_TOO_LARGE');
  assert.deepEqual(readdirSync(join(dir, 'tmp', 'uploads')), []);
  const blobs = existsSync(join(dir, 'blobs'))
    ? readdirSync(join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    : [];
  assert.deepEqual(blobs, [], 'no blob stored');
});

test('/healthz answers 503 when the database is gone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-health-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const site = await openTestSite(db);
  t.after(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal((await site.app.inject({ url: '/healthz' })).statusCode, 200);
  await db.destroy();
  const res = await site.app.inject({ url: '/healthz' });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { status: 'unavailable' });
});
