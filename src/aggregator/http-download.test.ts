import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startPodcastHost } from '../../test/aggregator-fixtures.js';
import { isSeedcastError } from '../errors.js';
import { downloadHttp } from './http-download.js';

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'seedcast-dl-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('HTTP enclosure downloads', () => {
  it('a partial file is completed with a Range request, not fetched again', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(100_000);
    host.set('/ep.mp3', { body: data });
    const dest = join(dir(t), 'ep.mp3');
    writeFileSync(`${dest}.part`, data.subarray(0, 40_000));
    let last = 0;
    const size = await downloadHttp(`${host.url}/ep.mp3`, dest, {
      length: data.length,
      onProgress: (d) => (last = d),
    });
    assert.equal(size, data.length);
    assert.equal(last, data.length);
    assert.ok(readFileSync(dest).equals(data));
    assert.equal(existsSync(`${dest}.part`), false);
    assert.deepEqual(
      host.log.map((r) => [r.range, r.status]),
      [['bytes=40000-', 206]],
    );
  });

  it('a server that ignores Range (200 to a range request) is read from the start again', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(50_000);
    host.set('/norange.mp3', { body: data, noRange: true });
    const dest = join(dir(t), 'x.mp3');
    writeFileSync(`${dest}.part`, randomBytes(10_000)); // not a prefix of the data: must not survive
    await downloadHttp(`${host.url}/norange.mp3`, dest, { length: data.length });
    assert.ok(readFileSync(dest).equals(data));
    assert.deepEqual(
      host.log.map((r) => [r.range, r.status]),
      [['bytes=10000-', 200]],
    );
  });

  it('a part of a file that changed since (If-Range no longer matches) is replaced by the new file', async (t) => {
    const host = await startPodcastHost(t);
    const old = randomBytes(20_000);
    const now = randomBytes(20_000);
    host.set('/ep.mp3', { body: old, etag: true });
    const dest = join(dir(t), 'ep.mp3');
    let validator = '';
    await downloadHttp(`${host.url}/ep.mp3`, dest, { onValidator: (v) => (validator = v) });
    assert.match(validator, /^"/);
    writeFileSync(`${dest}.part`, old.subarray(0, 5000));
    host.set('/ep.mp3', { body: now, etag: true });
    await downloadHttp(`${host.url}/ep.mp3`, dest, { length: now.length, validator });
    assert.ok(readFileSync(dest).equals(now));
    assert.deepEqual(
      host.log.slice(1).map((r) => [r.range, r.ifRange, r.status]),
      [['bytes=5000-', validator, 200]],
    );
  });

  it('a part that is already whole is moved into place without a request', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(1000);
    const dest = join(dir(t), 'done.mp3');
    writeFileSync(`${dest}.part`, data);
    await downloadHttp(`${host.url}/gone.mp3`, dest, { length: data.length });
    assert.ok(readFileSync(dest).equals(data));
    assert.equal(host.log.length, 0);
  });

  it('a length other than promised, or a wrong integrity hash, is refused and nothing is kept', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(3000);
    host.set('/ep.mp3', { body: data });
    const d = dir(t);
    await assert.rejects(downloadHttp(`${host.url}/ep.mp3`, join(d, 'a.mp3'), { length: 2999 }), (e) =>
      isSeedcastError(e, 'AGGREGATOR_VERIFY'),
    );
    const wrong = `sha256-${createHash('sha256').update('other').digest('base64')}`;
    await assert.rejects(
      downloadHttp(`${host.url}/ep.mp3`, join(d, 'b.mp3'), { length: 3000, integrity: [wrong] }),
      (e) => isSeedcastError(e, 'AGGREGATOR_VERIFY') && /integrity/.test(e.message),
    );
    const right = `sha384-${createHash('sha384').update(data).digest('base64')}`;
    await downloadHttp(`${host.url}/ep.mp3`, join(d, 'c.mp3'), { length: 3000, integrity: [wrong, right] });
    assert.equal(existsSync(join(d, 'a.mp3.part')) || existsSync(join(d, 'b.mp3.part')), false);
    assert.equal(existsSync(join(d, 'a.mp3')) || existsSync(join(d, 'b.mp3')), false);
    assert.ok(readFileSync(join(d, 'c.mp3')).equals(data));
  });

  it('the disk-space guard refuses a download that would leave too little free', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/ep.mp3', { body: randomBytes(1000) });
    const dest = join(dir(t), 'ep.mp3');
    await assert.rejects(
      downloadHttp(`${host.url}/ep.mp3`, dest, { minFreeBytes: Number.MAX_SAFE_INTEGER }),
      (e) => isSeedcastError(e, 'AGGREGATOR_DISK'),
    );
    assert.equal(existsSync(`${dest}.part`), false);
  });

  it('redirects are followed up to the limit', async (t) => {
    const host = await startPodcastHost(t);
    const data = randomBytes(100);
    host.set('/final.mp3', { body: data });
    for (let i = 0; i < 7; i++) host.set(`/r${i}`, { redirect: i === 6 ? '/final.mp3' : `/r${i + 1}` });
    const d = dir(t);
    await downloadHttp(`${host.url}/r3`, join(d, 'ok.mp3'));
    assert.ok(readFileSync(join(d, 'ok.mp3')).equals(data));
    await assert.rejects(downloadHttp(`${host.url}/r0`, join(d, 'no.mp3')), /more than 5 redirects/);
  });
});
