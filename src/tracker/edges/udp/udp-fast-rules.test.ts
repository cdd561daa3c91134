/**
 * The announce rules' table of cases (`service/announce-cases.ts`) against the native UDP fast path
 * (`native/udp_fast.c`), through the addon, on a real loopback socket: every answer must come from
 * C (its counts say so) and match what the table says, which is also what the JavaScript service
 * answers (`service/announce-rules.test.ts`). The C constants that mirror the TypeScript ones are
 * checked here too, whether or not the addon is built.
 */

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  ANNOUNCE_LENGTH,
  decodeUdpAnswer,
  encodeAnnounceRequest,
  encodeConnectRequest,
  MAX_REQUEST_LENGTH,
} from '../../../net/index.js';
import { ANNOUNCE_CASES, comparable, observed, swarmAnnounces } from '../../service/announce-cases.js';
import { ANNOUNCE_DEFAULTS } from '../../service/announce-rules.js';
import { TrackerService } from '../../service/service.js';
import { NativeStore, nativeStoreSupport } from '../../stores/native-store.js';
import { serveUdpBatch, udpBatchSupport } from './udp-batch.js';

const support = udpBatchSupport();
const storeSupport = nativeStoreSupport();
const reason = !support.ok ? support.reason : !storeSupport.ok ? storeSupport.reason : undefined;
const skip = reason ? `native fast path unavailable: ${reason}` : false;
if (reason) {
  if (process.env.CI === 'true') throw new Error(`CI: ${skip}`);
  console.warn(`\n*** SKIPPING the announce rules against the native UDP fast path: ${reason} ***\n`);
}

test('the C constants agree with the TypeScript ones', () => {
  const c = readFileSync(new URL('../../../../native/udp_fast.c', import.meta.url), 'utf8');
  const define = (name: string) => Number(new RegExp(`#define ${name} (\\d+)`).exec(c)?.[1]);
  assert.equal(define('ANNOUNCE_LENGTH'), ANNOUNCE_LENGTH, 'a BEP 15 announce has 98 bytes');
  assert.equal(define('MAX_REQUEST_LENGTH'), MAX_REQUEST_LENGTH);
  // The C scratch holds MAX_FAST_NUMWANT peers; above it C hands the announce to JavaScript. With
  // the default cap, every announce the rules allow must fit (the interval and both numwants are
  // the service's own, given to C at fastOn).
  assert.ok(define('MAX_FAST_NUMWANT') >= ANNOUNCE_DEFAULTS.maxNumwant);
  // The rules themselves (numwant, seeder, seeders too) as C writes them, so that a change to one
  // side is seen here even before the table catches it.
  assert.match(c, /event == SC_EVENT_STOPPED \? 0\s*: want < 0\s*\? \(uint32_t\)f->default_numwant/);
  assert.match(c, /want > f->max_numwant\s*\? \(uint32_t\)f->max_numwant/);
  assert.match(c, /\.seeder = memcmp\(msg \+ 64, zero8, 8\) == 0/, 'seeder: left (bytes 64-71) is 0');
  assert.match(c, /seeders_too = in\.seeder && memcmp\(msg \+ 56, zero8, 8\) == 0/, 'and downloaded is 0');
});

describe('announce rules, native UDP fast path', { skip }, () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  for (const c of ANNOUNCE_CASES) {
    test(c.name, async () => {
      const service = new TrackerService({ store: new NativeStore(), ...c.options });
      const server = serveUdpBatch('127.0.0.1', 0, service);
      const client = createSocket('udp4');
      closers.push(
        () => service.close(),
        () => server.close(),
        () => client.close(),
      );
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
      const ask = async (msg: Buffer): Promise<Buffer> => {
        const got = once(client, 'message', { signal: AbortSignal.timeout(5000) });
        client.send(msg, server.port, '127.0.0.1');
        return (await got)[0] as Buffer;
      };
      const hash = Buffer.alloc(20, 0x5a);
      for (const req of swarmAnnounces(c, hash)) await service.announce(req);

      const connected = decodeUdpAnswer(await ask(encodeConnectRequest(7)));
      assert.equal(connected.action, 'connect');
      if (connected.action !== 'connect') return;
      const msg = encodeAnnounceRequest(connected.connectionId, 99, {
        infoHash: hash,
        peerId: Buffer.alloc(20, 0x61),
        downloaded: c.announce.downloaded,
        left: c.announce.left,
        uploaded: 0,
        event: c.announce.event,
        key: 7,
        numwant: c.announce.numwant,
        port: 6881,
        urlData: '',
      });
      const before = server.fastCounts().reduce((a, b) => a + b, 0);
      const answer = await ask(msg);
      assert.equal(
        server.fastCounts().reduce((a, b) => a + b, 0),
        before + 1,
        'answered in C',
      );
      const a = decodeUdpAnswer(answer);
      assert.equal(a.action, 'announce');
      if (a.action !== 'announce') return;
      assert.equal(a.transactionId, 99);
      const got = observed({ interval: a.interval, incomplete: a.leechers, complete: a.seeders }, a.peers);
      assert.deepEqual(comparable(c, got), c.expect);
    });
  }
});
