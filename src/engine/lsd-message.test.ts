import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAnnounce, hostHeader, MAX_DATAGRAM, MAX_INFOHASHES, parseAnnounce } from './lsd-message.js';

const GROUP = { address: '239.192.152.143', port: 6771 };
const HOSTS = [hostHeader(GROUP)];
const HASH = '42b08f8e61e696828e377f7e0a636c3c93a14780';

function parse(text: string, ownCookie?: string) {
  return parseAnnounce(Buffer.from(text, 'latin1'), { hosts: HOSTS, ...(ownCookie ? { ownCookie } : {}) });
}

function reason(text: string, ownCookie?: string): string {
  const r = parse(text, ownCookie);
  assert.equal(r.ok, false, `expected a refusal of ${JSON.stringify(text)}`);
  return r.ok ? '' : r.reason;
}

describe('LSD announces (BEP 14)', () => {
  it('parses what libtorrent 2.0 sends (captured on loopback)', () => {
    const r = parse(
      `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 46427\r\nInfohash: ${HASH}\r\ncookie: 66ae751b\r\n\r\n\r\n`,
    );
    assert.deepEqual(r, { ok: true, announce: { port: 46427, infoHashes: [HASH], cookie: '66ae751b' } });
  });

  it("parses aria2's form (no cookie) and upper-case hex", () => {
    const r = parse(
      `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${HASH.toUpperCase()}\r\n\r\n\r\n`,
    );
    assert.deepEqual(r, { ok: true, announce: { port: 6881, infoHashes: [HASH], cookie: undefined } });
  });

  it('takes several Infohash headers, ignores unknown headers and repeats of a hash', () => {
    const other = 'ff'.repeat(20);
    const r = parse(
      `BT-SEARCH * HTTP/1.1\r\nhost: 239.192.152.143:6771\r\nPORT: 1\r\nX-Future: yes\r\nInfohash: ${HASH}\r\nInfohash: ${other}\r\nInfohash: ${HASH}\r\n\r\n`,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.announce.infoHashes, [HASH, other]);
    assert.equal(r.announce.port, 1);
  });

  it('round-trips our own encoding, and the IPv6 group in brackets', () => {
    const v6 = { address: 'ff15::efc0:988f', port: 6771 };
    assert.equal(hostHeader(v6), '[ff15::efc0:988f]:6771');
    const datagram = encodeAnnounce({ group: v6, port: 51413, infoHash: HASH, cookie: 'abcd0123' });
    assert.ok(datagram.length < 200, 'fits the 200-byte buffer aria2 reads announces into');
    const r = parseAnnounce(datagram, { hosts: [hostHeader(v6)] });
    assert.deepEqual(r, { ok: true, announce: { port: 51413, infoHashes: [HASH], cookie: 'abcd0123' } });
    assert.equal(
      reason(datagram.toString('latin1')),
      'wrong Host',
      'an IPv6 announce is not for the IPv4 group',
    );
  });

  it('drops our own announce by its cookie', () => {
    const datagram = encodeAnnounce({ group: GROUP, port: 6881, infoHash: HASH, cookie: '0badcafe' });
    assert.equal(reason(datagram.toString('latin1'), '0badcafe'), 'our own announce');
    assert.ok(parse(datagram.toString('latin1'), 'feedf00d').ok, "someone else's cookie is fine");
  });

  it('drops a wrong, missing or repeated Host', () => {
    const body = `Port: 6881\r\nInfohash: ${HASH}\r\n\r\n`;
    assert.equal(reason(`BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.144:6771\r\n${body}`), 'wrong Host');
    assert.equal(reason(`BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6772\r\n${body}`), 'wrong Host');
    assert.equal(reason(`BT-SEARCH * HTTP/1.1\r\n${body}`), 'wrong Host');
    assert.equal(
      reason(`BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nHost: 239.192.152.143:6771\r\n${body}`),
      'repeated Host',
    );
  });

  it('drops malformed requests: method, header lines, ports, info hashes, no end of headers', () => {
    const ok = `Host: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${HASH}\r\n`;
    const cases: [string, string][] = [
      [`M-SEARCH * HTTP/1.1\r\n${ok}\r\n`, 'not a BT-SEARCH request'],
      [`BT-SEARCH / HTTP/1.1\r\n${ok}\r\n`, 'not a BT-SEARCH request'],
      [`bt-search * HTTP/1.1\r\n${ok}\r\n`, 'not a BT-SEARCH request'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}`, 'no end of headers'],
      [`BT-SEARCH * HTTP/1.1\n${ok.replaceAll('\r\n', '\n')}\n`, 'no end of headers'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}garbage\r\n\r\n`, 'malformed header line'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}: empty name\r\n\r\n`, 'malformed header line'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}Bad Name: x\r\n\r\n`, 'malformed header name'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace('6881', '0')}\r\n`, 'bad Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace('6881', '65536')}\r\n`, 'bad Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace('6881', '-1')}\r\n`, 'bad Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace('6881', '68 81')}\r\n`, 'bad Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace('Port: 6881\r\n', '')}\r\n`, 'bad Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}Port: 6882\r\n\r\n`, 'repeated Port'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace(HASH, HASH.slice(1))}\r\n`, 'malformed Infohash'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace(HASH, `${HASH.slice(1)}g`)}\r\n`, 'malformed Infohash'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace(HASH, `${HASH}00`)}\r\n`, 'malformed Infohash'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok.replace(`Infohash: ${HASH}\r\n`, '')}\r\n`, 'no Infohash'],
      [`BT-SEARCH * HTTP/1.1\r\n${ok}cookie: ${'a'.repeat(65)}\r\n\r\n`, 'bad cookie'],
      ['', 'no end of headers'],
      ['\r\n\r\n', 'not a BT-SEARCH request'],
    ];
    for (const [text, why] of cases) assert.equal(reason(text), why, JSON.stringify(text));
  });

  it('bounds the datagram size, the number of lines and of info hashes', () => {
    const head = 'BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\n';
    const big = `${head}X-Pad: ${'x'.repeat(MAX_DATAGRAM)}\r\nInfohash: ${HASH}\r\n\r\n`;
    assert.match(reason(big), /^oversized/);
    const many = Array.from(
      { length: MAX_INFOHASHES + 1 },
      (_, i) => `Infohash: ${i.toString(16).padStart(40, '0')}\r\n`,
    );
    const text = `${head}${many.join('')}\r\n`;
    assert.ok(text.length <= MAX_DATAGRAM, 'the limit on hashes is hit before the size limit');
    assert.equal(reason(text), 'too many Infohash headers');
    assert.ok(parse(`${head}${many.slice(0, MAX_INFOHASHES).join('')}\r\n`).ok);
    assert.equal(
      reason(`${head}${'X-A: b\r\n'.repeat(70)}Infohash: ${HASH}\r\n\r\n`),
      'too many header lines',
    );
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(Math.floor(Math.random() * 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(Math.random() * 256);
      if (i % 2 === 0) Buffer.from('BT-SEARCH * HTTP/1.1\r\n').copy(bytes);
      const r = parseAnnounce(bytes, { hosts: HOSTS });
      assert.equal(r.ok, false);
    }
  });
});
