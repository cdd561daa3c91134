import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { announce, bin, sdp, wsClient } from '../../../../test/helpers/ws-client.js';
import { decode, isBytes, isDict, isInt, textKey } from '../../../bencode/index.js';
import { TrackerService } from '../../service/service.js';
import { trackerPlugin } from './fastify-plugin.js';

const HASH = Buffer.from('ff80c3a9000102030405060708090a0b0c0d0e0f', 'hex');
const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

async function app() {
  const service = new TrackerService();
  const fastify = Fastify();
  await fastify.register(trackerPlugin, { service, trackerId: 'seedcast' });
  return { fastify, service };
}

function field(body: Buffer, key: string) {
  const d = decode(body);
  assert.ok(isDict(d));
  return d.get(textKey(key));
}

test('mounted in Fastify, announce reads the raw binary info_hash and answers compact peers', async () => {
  const { fastify, service } = await app();
  const q = (peer: string, port: number) =>
    `/announce?info_hash=${enc(HASH)}&peer_id=${enc(Buffer.from(peer.padEnd(20, 'x')))}&port=${port}&left=1`;
  const first = await fastify.inject({ method: 'GET', url: q('-AA-', 1000), remoteAddress: '10.9.8.7' });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['content-type'], 'text/plain');
  const second = await fastify.inject({ method: 'GET', url: q('-BB-', 2000), remoteAddress: '10.9.8.6' });
  const peers = field(second.rawPayload, 'peers');
  assert.ok(isBytes(peers));
  assert.deepEqual([...peers], [10, 9, 8, 7, 1000 >> 8, 1000 & 0xff]);
  const id = field(second.rawPayload, 'tracker id');
  assert.ok(isBytes(id) && Buffer.from(id).toString() === 'seedcast');
  assert.deepEqual(await service.stats(HASH), { seeders: 0, leechers: 2, completed: 0 });
  await fastify.close();
});

test('mounted in Fastify, scrape answers BEP 48 and bad requests get a failure reason', async () => {
  const { fastify } = await app();
  await fastify.inject({
    url: `/announce?info_hash=${enc(HASH)}&peer_id=${'p'.repeat(20)}&port=1&left=0`,
    remoteAddress: '::1',
  });
  const scrape = await fastify.inject({ url: `/scrape?info_hash=${enc(HASH)}` });
  const files = field(scrape.rawPayload, 'files');
  assert.ok(isDict(files));
  const counts = files.get(HASH.toString('latin1'));
  assert.ok(isDict(counts));
  assert.equal(counts.get('complete'), 1);
  const bad = await fastify.inject({ url: '/announce?info_hash=%zz' });
  const reason = field(bad.rawPayload, 'failure reason');
  assert.ok(isBytes(reason));
  assert.match(Buffer.from(reason).toString(), /percent-encoding/);
  const interval = field(scrape.rawPayload, 'flags');
  assert.ok(isDict(interval) && isInt(interval.get('min_request_interval')));
  await fastify.close();
});

test('a proxy on this host without trustProxy is pointed out once; the proxy address is not replaced', async () => {
  const warnings: string[] = [];
  const service = new TrackerService();
  const fastify = Fastify();
  await fastify.register(trackerPlugin, { service, log: { warn: (m) => warnings.push(m) } });
  const q = (peer: string, port: number) =>
    `/announce?info_hash=${enc(HASH)}&peer_id=${enc(Buffer.from(peer.padEnd(20, 'x')))}&port=${port}&left=1`;
  const headers = { 'x-forwarded-for': '198.51.100.4' };
  await fastify.inject({ url: q('-AA-', 1000), remoteAddress: '127.0.0.1', headers });
  const second = await fastify.inject({ url: q('-BB-', 2000), remoteAddress: '127.0.0.1', headers });
  const peers = field(second.rawPayload, 'peers');
  assert.ok(isBytes(peers));
  assert.deepEqual([...peers], [127, 0, 0, 1, 1000 >> 8, 1000 & 0xff]);
  assert.equal(warnings.filter((w) => /--trust-proxy/.test(w)).length, 1);
  await fastify.close();
});

test('mounted in Fastify, a WebSocket upgrade of /announce reaches the WebSocket tracker with trustProxy addresses', async () => {
  const service = new TrackerService();
  const fastify = Fastify({ trustProxy: true });
  await fastify.register(trackerPlugin, { service, ws: { limits: { maxPerAddress: 1 } } });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const url = `ws://127.0.0.1:${(fastify.server.address() as { port: number }).port}/announce`;
  try {
    const seeder = await wsClient(url, { headers: { 'X-Forwarded-For': '203.0.113.5' } });
    const leecher = await wsClient(url, { headers: { 'X-Forwarded-For': '203.0.113.6' } });
    // The cap counts the address Fastify's trustProxy gives, not the proxy's (loopback) address.
    await assert.rejects(wsClient(url, { headers: { 'X-Forwarded-For': '203.0.113.5' } }), /HTTP 503/);
    await assert.rejects(wsClient(url.replace('/announce', '/elsewhere')), /HTTP 404/);
    seeder.send(announce(bin(1), bin('s'), { left: 0 }));
    assert.equal((await seeder.next()).complete, 1);
    leecher.send(announce(bin(1), bin('l'), { offers: [[bin('o'), sdp('o')]] }));
    assert.equal((await leecher.next()).incomplete, 1);
    assert.equal((await seeder.next()).offer_id, bin('o'));
    const plain = await fastify.inject({
      method: 'GET',
      url: `/scrape?info_hash=${enc(Buffer.from(bin(1), 'latin1'))}`,
    });
    assert.match(
      plain.body,
      /8:completei1e10:downloadedi0e10:incompletei1e/,
      'HTTP scrape counts the WebSocket peers',
    );
    await seeder.close();
    await leecher.close();
  } finally {
    await fastify.close();
  }
});
