import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../../../errors.js';
import { MAX_QUERY_LENGTH, parseAnnounce, parseScrape, percentDecode } from './http-parse.js';

const IP = Buffer.from([127, 0, 0, 1]);
const HASH = Buffer.from('00ff7f80c3a92b2d2e5f7e2541617a3039fe0102', 'hex');
const PEER = Buffer.from('-qB4650-abc~._DEFGHI', 'latin1');

/** Percent-encodes every byte except unreserved characters, as clients do. */
function enc(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += /[A-Za-z0-9.\-_~]/.test(c) ? c : `%${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}

const base = `info_hash=${enc(HASH)}&peer_id=${enc(PEER)}&port=6881&uploaded=1&downloaded=2&left=3`;

function refused(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (err) => isSeedcastError(err) && err.code === code && pattern.test(err.message));
}

describe('HTTP announce parsing', () => {
  test('decodes binary info_hash and peer_id byte for byte, bytes over 0x7f included', () => {
    const { request, compact } = parseAnnounce(`${base}&event=started&numwant=7&key=abcd`, IP);
    assert.deepEqual(request.infoHash, HASH);
    assert.deepEqual(request.peerId, PEER);
    assert.deepEqual(
      [request.port, request.uploaded, request.downloaded, request.left, request.event, request.numwant],
      [6881, 1, 2, 3, 'started', 7],
    );
    assert.notEqual(request.key, 0);
    assert.equal(compact, true);
    assert.equal(request.wantPeerIds, false);
    assert.equal(request.ip, IP);
  });

  test('upper- and lower-case escapes mean the same bytes', () => {
    const upper = parseAnnounce(
      base.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()),
      IP,
    );
    assert.deepEqual(upper.request.infoHash, HASH);
  });

  test('compact=0 asks for peer dictionaries with ids, unless no_peer_id', () => {
    assert.equal(parseAnnounce(`${base}&compact=0`, IP).request.wantPeerIds, true);
    assert.equal(parseAnnounce(`${base}&compact=0&no_peer_id=1`, IP).request.wantPeerIds, false);
    assert.equal(parseAnnounce(`${base}&compact=0`, IP).compact, false);
  });

  test('a missing left makes a leecher; paused (BEP 21) and empty events are plain announces', () => {
    const noLeft = parseAnnounce(base.replace('&left=3', ''), IP).request;
    assert.ok(noLeft.left > 0);
    assert.equal(parseAnnounce(`${base}&event=paused`, IP).request.event, 'none');
    assert.equal(parseAnnounce(`${base}&event=`, IP).request.event, 'none');
  });

  test('unknown parameters are ignored', () => {
    assert.deepEqual(
      parseAnnounce(`${base}&supportcrypto=1&corrupt=0&trackerid=xyz&&`, IP).request.infoHash,
      HASH,
    );
  });

  test('refuses a missing or wrong-sized info_hash or peer_id', () => {
    refused(
      () => parseAnnounce(`peer_id=${enc(PEER)}&port=1`, IP),
      'TRACKER_BAD_REQUEST',
      /info_hash is missing/,
    );
    refused(
      () => parseAnnounce(`info_hash=${enc(HASH)}&port=1`, IP),
      'TRACKER_BAD_REQUEST',
      /peer_id is missing/,
    );
    refused(
      () => parseAnnounce(`info_hash=${enc(HASH.subarray(0, 19))}&peer_id=${enc(PEER)}&port=1`, IP),
      'TRACKER_BAD_REQUEST',
      /info_hash must be 20 bytes, got 19/,
    );
    refused(() => parseAnnounce(`${base}&info_hash=${enc(HASH)}`, IP), 'TRACKER_BAD_REQUEST', /given twice/);
  });

  test('refuses broken percent-encoding', () => {
    refused(() => parseAnnounce(base.replace('%ff', '%zz'), IP), 'TRACKER_BAD_REQUEST', /percent-encoding/);
    refused(
      () => parseAnnounce(`peer_id=${enc(PEER)}&port=1&info_hash=%a`, IP),
      'TRACKER_BAD_REQUEST',
      /percent/,
    );
  });

  test('refuses bad numbers: port, counters, numwant', () => {
    refused(
      () => parseAnnounce(base.replace('port=6881', 'port=0'), IP),
      'TRACKER_BAD_REQUEST',
      /port must be/,
    );
    refused(() => parseAnnounce(base.replace('port=6881', 'port=70000'), IP), 'TRACKER_BAD_REQUEST', /port/);
    refused(
      () => parseAnnounce(base.replace('&port=6881', ''), IP),
      'TRACKER_BAD_REQUEST',
      /port is missing/,
    );
    refused(() => parseAnnounce(base.replace('left=3', 'left=-3'), IP), 'TRACKER_BAD_REQUEST', /left/);
    refused(
      () => parseAnnounce(base.replace('uploaded=1', 'uploaded=1e9'), IP),
      'TRACKER_BAD_REQUEST',
      /uploaded/,
    );
    refused(() => parseAnnounce(`${base}&numwant=lots`, IP), 'TRACKER_BAD_REQUEST', /numwant/);
    refused(() => parseAnnounce(`${base}&left=${'9'.repeat(30)}`, IP), 'TRACKER_BAD_REQUEST', /left/);
  });

  test('refuses an unknown event and an oversized key', () => {
    refused(() => parseAnnounce(`${base}&event=exploded`, IP), 'TRACKER_BAD_REQUEST', /unknown event/);
    refused(() => parseAnnounce(`${base}&key=${'k'.repeat(101)}`, IP), 'TRACKER_BAD_REQUEST', /key/);
  });

  test('refuses oversized queries and too many parameters', () => {
    refused(
      () => parseAnnounce(`${base}&x=${'a'.repeat(MAX_QUERY_LENGTH)}`, IP),
      'TRACKER_TOO_LARGE',
      /longer/,
    );
    refused(() => parseAnnounce(`${base}${'&a=1'.repeat(300)}`, IP), 'TRACKER_TOO_LARGE', /parameters/);
  });
});

describe('HTTP scrape parsing', () => {
  test('reads repeated info_hash parameters, once each', () => {
    const other = Buffer.alloc(20, 0xee);
    const req = parseScrape(`info_hash=${enc(HASH)}&info_hash=${enc(other)}&info_hash=${enc(HASH)}`, {
      max: 10,
    });
    assert.deepEqual(req.infoHashes, [HASH, other]);
  });

  test('refuses more hashes than allowed and malformed hashes', () => {
    const many = Array.from({ length: 5 }, (_, i) => `info_hash=${enc(Buffer.alloc(20, i))}`).join('&');
    refused(() => parseScrape(many, { max: 4 }), 'TRACKER_TOO_LARGE', /at most 4/);
    refused(() => parseScrape('info_hash=abc', { max: 4 }), 'TRACKER_BAD_REQUEST', /20 bytes/);
  });
});

test('percentDecode keeps literal bytes and decodes escapes', () => {
  assert.deepEqual(percentDecode('a%20b%ff', 0, 8, 'x'), Buffer.from([0x61, 0x20, 0x62, 0xff]));
});

test('counts past 2^53 are read as the largest exact number, never as an inexact double', () => {
  const r = parseAnnounce(
    base.replace('uploaded=1', 'uploaded=18446744073709551615').replace('left=3', 'left=9007199254740993'),
    IP,
  ).request;
  assert.equal(r.uploaded, Number.MAX_SAFE_INTEGER);
  assert.equal(r.left, Number.MAX_SAFE_INTEGER);
  assert.equal(parseAnnounce(base.replace('left=3', 'left=9007199254740991'), IP).request.left, 2 ** 53 - 1);
});
