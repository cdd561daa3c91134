/**
 * The HTTP tracker's request parsing (BEP 3, 7, 23, 48): the stand-alone server's request head
 * parser, and the announce and scrape query parsers, fed the raw query (Latin-1, as the server reads
 * it). Byte 0 chooses which, and IPv4 or IPv6 for the announcer's address. Contract: a request whose
 * fields are in range, or a SeedcastError.
 */

import assert from 'node:assert/strict';
import { parseAnnounce, parseScrape } from '../../src/tracker/edges/http/http-parse.js';
import { parseHead } from '../../src/tracker/edges/http/http-server.js';
import type { FuzzTarget } from '../engine/target.js';

const V4 = Buffer.from([192, 0, 2, 1]);
const V6 = Buffer.from('20010db8000000000000000000000001', 'hex');

export const target: FuzzTarget = {
  description: 'tracker request head, announce and scrape query parsers',
  cover: [
    '/src/tracker/edges/http/http-parse',
    '/src/tracker/edges/http/http-server',
    '/src/tracker/service/hash20',
  ],
  maxLen: 10000,
  dictionary: [
    'info_hash=',
    'peer_id=',
    'port=',
    'uploaded=',
    'downloaded=',
    'left=',
    'event=started',
    'event=stopped',
    'event=completed',
    'event=',
    'numwant=',
    'compact=1',
    'compact=0',
    'no_peer_id=1',
    'key=',
    'ip=',
    'ipv6=',
    'trackerid=',
    '&',
    '=',
    '%',
    '%00',
    '%ff',
    '%2',
    '%%',
    '+',
    ';',
    'GET ',
    'POST ',
    ' HTTP/1.1',
    ' HTTP/1.0',
    '\r\n',
    'Connection: close',
    'Connection: keep-alive',
    'Content-Length: 0',
    'Transfer-Encoding: chunked',
    '/announce?',
    '/scrape?',
    ':',
  ],
  make: () => (data) => {
    const mode = data[0] ?? 0;
    const text = data.subarray(1).toString('latin1');
    switch (mode % 3) {
      case 0: {
        const head = parseHead(text);
        if (head) {
          assert.match(head.method, /^[A-Z]+$/);
          assert.equal(head.target[0], '/');
        }
        return;
      }
      case 1: {
        const ip = mode & 4 ? V6 : V4;
        const { request: r } = parseAnnounce(text, ip);
        assert.equal(r.infoHash.length, 20);
        assert.equal(r.peerId.length, 20);
        assert.ok(r.ip.length === 4 || r.ip.length === 16);
        assert.ok(Number.isInteger(r.port) && r.port > 0 && r.port < 65536, `port ${r.port}`);
        for (const n of [r.uploaded, r.downloaded, r.left])
          assert.ok(Number.isSafeInteger(n) && n >= 0, String(n));
        assert.ok(Number.isInteger(r.numwant) && r.numwant >= -1, `numwant ${r.numwant}`);
        return;
      }
      default: {
        const s = parseScrape(text, { max: 74 });
        assert.ok(s.infoHashes.length <= 74);
        for (const h of s.infoHashes) assert.equal(h.length, 20);
      }
    }
  },
};
