/**
 * Clients that hold connections without using them (issue 15, finding 9), against the real site on
 * a real socket: a request whose body stalls is closed after the body timeout while a slow body that
 * keeps coming is served; headers that never end are closed after the headers timeout; one address
 * may hold only so many connections (the extra is closed at once) while other clients are served.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import type { LimitOverrides } from '../src/web/limits.js';
import { openTestSite } from './site-fixtures.js';

async function listening(t: { after(fn: () => unknown): void }, limits: LimitOverrides) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-slow-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const s = await openTestSite(db, { limits });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return (s.app.server.address() as { port: number }).port;
}

/** A connected socket that records what it receives and when it closes. */
function open(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  const started = Date.now();
  let received = '';
  socket.on('data', (d) => {
    received += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  const ready = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, ready, closed, received: () => received };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

test('a stalled body is closed after the body timeout; a slow body that keeps coming is served', async (t) => {
  const port = await listening(t, {
    timeouts: { body: 1000, headers: 5000 },
  });
  const stalled = open(port);
  await stalled.ready;
  stalled.socket.write(
    'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user',
  );
  const after = await within(stalled.closed, 6000);
  assert.notEqual(after, 'timeout', 'the stalled connection was never closed');
  assert.ok((after as number) >= 900 && (after as number) < 4000, `closed after ${after} ms`);

  const body = JSON.stringify({ username: 'slowpoke', password: 'correct horse' });
  const slow = open(port);
  await slow.ready;
  slow.socket.write(
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  );
  for (let i = 0; i < body.length; i += 4) {
    slow.socket.write(body.slice(i, i + 4));
    await new Promise((r) => setTimeout(r, 250)); // ~3.5 s in all, far past the body timeout
  }
  await within(slow.closed, 5000);
  assert.match(slow.received(), /^HTTP\/1\.1 201 /, slow.received().slice(0, 200));
});

test('headers that never end are closed after the headers timeout', async (t) => {
  const port = await listening(t, { timeouts: { headers: 1000 } });
  const c = open(port);
  await c.ready;
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
  const after = await within(c.closed, 6000);
  assert.notEqual(after, 'timeout', 'never closed');
  assert.ok((after as number) < 4000, `closed after ${after} ms`);
});

async function get(port: number, localAddress: string): Promise<string> {
  const c = open(port, localAddress);
  await c.ready;
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await within(c.closed, 5000);
  return c.received();
}

test('one address holds at most N connections: the extra is closed, other clients are served', async (t) => {
  const port = await listening(t, { connectionsPerAddress: 4, timeouts: { headers: 20_000 } });
  const held: { socket: Socket; closed: Promise<number> }[] = [];
  for (let i = 0; i < 4; i++) {
    const c = open(port);
    await c.ready;
    held.push(c);
  }
  const extra = open(port);
  await extra.ready.catch(() => undefined);
  extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  const after = await within(extra.closed, 3000);
  assert.notEqual(after, 'timeout', 'the extra connection stayed open');
  assert.equal(extra.received(), '', 'the extra connection got no answer');
  assert.match(await get(port, '127.0.0.2'), /^HTTP\/1\.1 200 /, 'another client is served');
  for (const c of held) assert.equal(await within(c.closed, 10), 'timeout', 'the first four stay open');
  held[0]!.socket.destroy();
  await held[0]!.closed;
  assert.match(await get(port, '127.0.0.1'), /^HTTP\/1\.1 200 /, 'a freed slot is usable again');
  for (const c of held) c.socket.destroy();
});
