import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpTrackerServer, type HttpTrackerServer, parseHead } from './http-server.js';
import { TrackerService } from './service.js';

const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
const Q = `info_hash=${enc(Buffer.alloc(20, 3))}&peer_id=${'p'.repeat(20)}&port=1&left=1`;

describe('request heads', () => {
  test('HTTP/1.1 keeps the connection unless Connection: close; HTTP/1.0 closes unless keep-alive', () => {
    assert.deepEqual(parseHead('GET /announce?x HTTP/1.1\r\nHost: a'), {
      method: 'GET',
      target: '/announce?x',
      keepAlive: true,
    });
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
});
