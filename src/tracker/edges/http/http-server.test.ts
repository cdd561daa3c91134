import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TrackerService } from '../../service/service.js';
import { createHttpTrackerServer, type HttpTrackerServer, parseHead } from './http-server.js';

const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
const Q = `info_hash=${enc(Buffer.alloc(20, 3))}&peer_id=${'p'.repeat(20)}&port=1&left=1`;

describe('request heads', () => {
  test('HTTP/1.1 keeps the connection unless Connection: close; HTTP/1.0 closes unless keep-alive', () => {
    assert.deepEqual(parseHead('GET /announce?x HTTP/1.1\r\nHost: a'), {
      method: 'GET',
      target: '/announce?x',
      keepAlive: true,
      websocket: false,
    });
    assert.equal(
      parseHead('GET /announce HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade')?.websocket,
      true,
    );
    assert.equal(parseHead('GET / HTTP/1.1\r\nConnection: Close')?.keepAlive, false);
    assert.equal(parseHead('GET / HTTP/1.0')?.keepAlive, false);
    assert.equal(parseHead('GET / HTTP/1.0\r\nconnection: keep-alive')?.keepAlive, true);
    assert.equal(parseHead('POST / HTTP/1.1\r\nContent-Length: 5')?.keepAlive, false, 'a body closes');
    assert.equal(parseHead('GET / HTTP/1.1\r\nContent-Length: 0')?.keepAlive, true);
  });

  test('anything that is not an HTTP/1.x request line is refused', () => {
    for (const bad of [
      '',
      'GET',
      'GET /',
      'GET / HTTP/2.0',
      'get / HTTP/1.1',
      'GET x HTTP/1.1',
      'GET / HTTP/1.1\r\nno colon',
    ]) {
      assert.equal(parseHead(bad), null, JSON.stringify(bad));
    }
  });
});

describe('the standalone HTTP server', () => {
  let http: HttpTrackerServer;
  let port: number;
  before(async () => {
    http = createHttpTrackerServer(new TrackerService());
    await new Promise<void>((r) => http.server.listen(0, '127.0.0.1', r));
    port = (http.server.address() as { port: number }).port;
  });
  after(async () => http.close());

  /** Writes `chunks` one by one and collects everything until the server closes or `until` matches. */
  async function talk(chunks: string[], until?: (s: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', async () => {
        for (const c of chunks) {
          s.write(c, 'latin1');
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      let out = '';
      s.setEncoding('latin1');
      s.on('data', (d: string) => {
        out += d;
        if (until?.(out)) {
          s.destroy();
          resolve(out);
        }
      });
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
  }

  test('answers pipelined requests in order on one connection', async () => {
    const two = `GET /announce?${Q} HTTP/1.1\r\nHost: x\r\n\r\nGET /scrape?info_hash=${enc(Buffer.alloc(20, 3))} HTTP/1.1\r\n\r\n`;
    const out = await talk([two], (s) => (s.match(/HTTP\/1\.1 200/g) ?? []).length === 2 && s.endsWith('ee'));
    const [first, second] = out.split(/(?=HTTP\/1\.1 200)/);
    assert.match(first!, /d8:complete/);
    assert.match(second!, /d5:files/);
    assert.doesNotMatch(out, /Connection: close/);
  });

  test('a head split over several packets is put back together', async () => {
    const out = await talk([
      `GET /announce?${Q.slice(0, 30)}`,
      `${Q.slice(30)} HTTP/1.0\r\n`,
      'Host: x\r\n\r\n',
    ]);
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /Connection: close/);
    assert.match(out, /d8:complete/);
  });

  test('a request with a body is answered, then the connection closes', async () => {
    const out = await talk([`POST /announce?${Q} HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc`]);
    assert.match(out, /^HTTP\/1\.1 405 /);
    assert.match(out, /failure reason/);
  });

  test('metrics are served as Prometheus text', async () => {
    const out = await talk(['GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n']);
    assert.match(out, /Content-Type: text\/plain; version=0\.0\.4/);
    assert.match(out, /seedcast_tracker_swarms \d+/);
  });

  /** Resolves with the answer to one announce on a fresh connection and how long it took. */
  async function timedAnnounce(): Promise<{ out: string; ms: number }> {
    const t0 = performance.now();
    const out = await talk([`GET /announce?${Q} HTTP/1.1\r\nConnection: close\r\n\r\n`]);
    return { out, ms: performance.now() - t0 };
  }

  /**
   * A hostile client: sends `first`, then streams `total` bytes as fast as the socket takes them,
   * ignoring the server's FIN (half-open). Resolves when the server has closed the connection or
   * after `waitMs`, with what the client received and what the server read.
   */
  async function flood(first: string, total: number, waitMs: number) {
    let serverSide: Socket | undefined;
    http.server.once('connection', (s) => {
      serverSide = s;
    });
    const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => {
      answer += d;
    });
    c.on('error', () => {});
    const closed = new Promise<number>((r) => c.once('close', () => r(performance.now())));
    await new Promise<void>((r) => c.once('connect', () => r()));
    const t0 = performance.now();
    c.write(first, 'latin1');
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    const pushing = (async () => {
      while (sent < total && !c.destroyed) {
        sent += chunk.length;
        if (!c.write(chunk)) {
          await new Promise<void>((r) => {
            c.once('drain', r);
            c.once('close', r);
          });
        }
      }
    })();
    const other = await new Promise((r) => setTimeout(r, 100)).then(timedAnnounce);
    const end = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), waitMs))]);
    c.destroy();
    await pushing;
    return { other, closedAfter: end < 0 ? -1 : end - t0, answer, serverRead: serverSide?.bytesRead ?? -1 };
  }

  test('after a refused request, what the client keeps sending is neither kept nor read for long', async () => {
    const rss0 = process.memoryUsage().rss;
    const r = await flood('NOT HTTP\r\n\r\n', 256 * 1024 * 1024, 6000);
    const grew = process.memoryUsage().rss - rss0;
    assert.match(r.answer, /^HTTP\/1\.1 400 .*Connection: close/s, 'the refusal was delivered');
    assert.match(r.other.out, /^HTTP\/1\.1 200 /);
    assert.ok(r.other.ms < 1000, `another client waited ${r.other.ms.toFixed(0)} ms`);
    assert.ok(r.closedAfter >= 0, 'the server did not close the flooding connection within 6 s');
    assert.ok(r.closedAfter < 4000, `closed after ${r.closedAfter.toFixed(0)} ms`);
    assert.ok(r.serverRead < 1024 * 1024, `the server read ${r.serverRead} bytes after refusing`);
    assert.ok(grew < 64 * 1024 * 1024, `RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB`);
  });

  test('a head that never ends is refused at 8 KiB and its connection closed', async () => {
    const r = await flood(`GET /announce?${'a'.repeat(9000)}`, 64 * 1024 * 1024, 6000);
    assert.match(r.answer, /^HTTP\/1\.1 431 /);
    assert.ok(r.closedAfter >= 0 && r.closedAfter < 4000, `closed after ${r.closedAfter.toFixed(0)} ms`);
    assert.ok(r.serverRead < 1024 * 1024, `the server read ${r.serverRead} bytes`);
  });

  test('a request with a body is answered, and the body is not read on and on', async () => {
    const r = await flood(
      `GET /announce?${Q} HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n`,
      64 * 1024 * 1024,
      6000,
    );
    assert.match(r.answer, /^HTTP\/1\.1 200 .*Connection: close/s);
    assert.ok(r.closedAfter >= 0 && r.closedAfter < 4000, `closed after ${r.closedAfter.toFixed(0)} ms`);
    assert.ok(r.serverRead < 1024 * 1024, `the server read ${r.serverRead} bytes`);
  });

  test('pipelined requests from a client that never reads its answers are not buffered without end', async () => {
    let serverSide: Socket | undefined;
    http.server.once('connection', (s) => {
      serverSide = s;
    });
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause(); // never reads
    // Small requests with large answers (metrics): 32,768 of them ask for about 45 MB.
    const batch = Buffer.from('GET /metrics HTTP/1.1\r\n\r\n'.repeat(1024));
    for (let i = 0; i < 32; i++) s.write(batch);
    await new Promise((r) => setTimeout(r, 2000));
    const side = serverSide as Socket;
    // The server stops reading when its answers back up: it holds no more than one answer past
    // the socket's high-water mark (16 KiB on Node 20, 64 KiB from Node 22), however many
    // requests are waiting.
    const bound = side.writableHighWaterMark + 48 * 1024;
    assert.ok(
      side.writableLength < bound,
      `server holds ${side.writableLength} bytes of answers (< ${bound})`,
    );
    s.destroy();
  });
});

describe('connections per address', () => {
  test('past the cap, new connections from the same address are closed at once', async () => {
    const http = createHttpTrackerServer(new TrackerService(), {}, { maxPerAddress: 3 });
    await new Promise<void>((r) => http.server.listen(0, '127.0.0.1', r));
    const port = (http.server.address() as { port: number }).port;
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
    const closedSoon = (s: Socket) =>
      new Promise<boolean>((r) => {
        s.once('close', () => r(true));
        setTimeout(() => r(false), 500);
      });
    try {
      const held = [await open(), await open(), await open()];
      const fourth = await open();
      fourth.on('error', () => {});
      assert.equal(await closedSoon(fourth), true, 'the fourth connection was closed');
      held[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const again = await open();
      assert.equal(await closedSoon(again), false, 'a slot freed by a close is usable');
      for (const s of [...held, again]) s.destroy();
    } finally {
      await http.close();
    }
  });
});
