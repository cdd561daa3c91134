import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { request } from 'node:http';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { OutboundPolicy } from './outbound-policy.js';

function fakeDns(table: Record<string, string[]>): (host: string) => Promise<LookupAddress[]> {
  return async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

test('the default policy refuses URLs whose host is or resolves to an inside address', async () => {
  const policy = new OutboundPolicy({
    resolve: fakeDns({
      'inside.test': ['10.0.0.5'],
      'mixed.test': ['8.8.8.8', '127.0.0.1'],
      'ok.test': ['8.8.4.4'],
    }),
  });
  for (const url of [
    'http://127.0.0.1:8080/x',
    'http://[::1]/',
    'udp://169.254.169.254:80/announce',
    'http://inside.test/',
    'http://mixed.test/',
    'http://localhost:9/',
    'http://nowhere.test/',
  ]) {
    await assert.rejects(policy.checkUrl(url), (err) => isSeedcastError(err, 'OUTBOUND_REFUSED'), url);
  }
  assert.equal((await policy.checkUrl('http://ok.test/a')).hostname, 'ok.test');
  assert.deepEqual(await policy.checkHost('8.8.8.8'), ['8.8.8.8']);
});

test('allowPrivate lets loopback and LAN addresses through', async () => {
  const policy = new OutboundPolicy({ allowPrivate: true, resolve: fakeDns({ localhost: ['127.0.0.1'] }) });
  assert.equal(policy.allowsAddress('127.0.0.1'), true);
  assert.equal(policy.allowsAddress('not an address'), false);
  await policy.checkUrl('http://localhost:8080/');
});

test('lookup stops an HTTP request to a name that resolves inside before any packet is sent', async () => {
  const policy = new OutboundPolicy({ resolve: fakeDns({ 'rebind.test': ['127.0.0.1'] }) });
  const err = await new Promise<Error>((resolve) => {
    const req = request('http://rebind.test:1/', { lookup: policy.lookup as never }, () =>
      resolve(new Error('answered')),
    );
    req.on('error', resolve);
    req.end();
  });
  assert.ok(isSeedcastError(err, 'OUTBOUND_REFUSED'), err.message);
});

test('lookup answers like dns.lookup for allowed names, one address or all', async () => {
  const policy = new OutboundPolicy({
    resolve: fakeDns({ 'two.test': ['8.8.8.8', '2001:4860:4860::8888'] }),
  });
  const one = await new Promise((resolve, reject) =>
    policy.lookup('two.test', { family: 6 }, (err, address, family) =>
      err ? reject(err) : resolve([address, family]),
    ),
  );
  assert.deepEqual(one, ['2001:4860:4860::8888', 6]);
  const all = await new Promise((resolve, reject) =>
    policy.lookup('two.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
  assert.equal((all as LookupAddress[]).length, 2);
});

test('resolvesInside tells a feed on the user network from a public one', async () => {
  const policy = new OutboundPolicy({
    resolve: fakeDns({ 'nas.test': ['192.168.1.10'], 'pod.test': ['8.8.8.8'] }),
  });
  assert.equal(await policy.resolvesInside('127.0.0.1'), true);
  assert.equal(await policy.resolvesInside('localhost'), true);
  assert.equal(await policy.resolvesInside('nas.test'), true);
  assert.equal(await policy.resolvesInside('pod.test'), false);
  assert.equal(await policy.resolvesInside('gone.test'), false);
  assert.equal(await new OutboundPolicy({ allowPrivate: true }).resolvesInside('127.0.0.1'), false);
});
