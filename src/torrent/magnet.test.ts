import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { base32Decode, formatMagnet, magnetTarget, parseMagnet } from './index.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const V2 = 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';

function invalid(link: string, pattern: RegExp) {
  assert.throws(
    () => parseMagnet(link),
    (err: unknown) => isSeedcastError(err, 'MAGNET_INVALID') && pattern.test(err.message),
  );
}

describe('magnet links (BEP 9)', () => {
  it('reads and writes xs (the .torrent URL), once per URL', () => {
    const xs = 'https://site.example/items/7.torrent';
    const link = parseMagnet(
      `magnet:?xt=urn:btih:${HEX}&xs=${encodeURIComponent(xs)}&xs.1=${encodeURIComponent(xs)}`,
    );
    assert.deepEqual(link.sources, [xs]);
    assert.match(formatMagnet(link), /&xs=https%3A%2F%2Fsite\.example%2Fitems%2F7\.torrent$/);
    assert.equal(parseMagnet(`magnet:?xt=urn:btih:${HEX}`).sources, undefined);
  });

  it('parses a v1 link with name, trackers, web seeds and length', () => {
    const link = parseMagnet(
      `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=My+Show%20%231&tr=http%3A%2F%2Ft1%2Fannounce&tr.1=udp%3A%2F%2Ft2%3A80&ws=http%3A%2F%2Fws%2Ff&xl=12345&x.pe=10.0.0.1%3A6881&foo=bar`,
    );
    assert.deepEqual(link, {
      infoHash: HEX,
      name: 'My Show #1',
      trackers: ['http://t1/announce', 'udp://t2:80'],
      webSeeds: ['http://ws/f'],
      length: 12345,
      peers: ['10.0.0.1:6881'],
    });
  });

  it('reads base32 info hashes', () => {
    const b32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK';
    assert.equal(base32Decode(b32).toString('hex'), HEX);
    assert.equal(parseMagnet(`magnet:?xt=urn:btih:${b32}`).infoHash, HEX);
    assert.equal(parseMagnet(`magnet:?xt=urn:btih:${b32.toLowerCase()}`).infoHash, HEX);
  });

  it('reads v2 (btmh) and hybrid links', () => {
    assert.deepEqual(parseMagnet(`magnet:?xt=urn:btmh:1220${V2}`).infoHashV2, V2);
    const hybrid = parseMagnet(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${V2}`);
    assert.equal(hybrid.infoHash, HEX);
    assert.equal(hybrid.infoHashV2, V2);
  });

  it('formats links that parse back to the same value', () => {
    const link = {
      infoHash: HEX,
      infoHashV2: V2,
      name: 'Ünïcode & spaces/slash',
      length: 99,
      trackers: ['http://t/announce?x=1&y=2'],
      webSeeds: ['http://w/a b'],
      peers: [],
    };
    const text = formatMagnet(link);
    assert.ok(text.startsWith(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${V2}&dn=`));
    assert.deepEqual(parseMagnet(text), link);
  });

  it('rejects links without a usable info hash or with bad fields', () => {
    invalid('http://example.com', /must start with/);
    invalid('magnet:?dn=x', /no urn:btih/);
    invalid('magnet:?xt=urn:btih:1234', /40 hex or 32 base32/);
    invalid(`magnet:?xt=urn:btih:${'z'.repeat(40)}`, /40 hex/);
    invalid('magnet:?xt=urn:btmh:1114abcd', /multihash/);
    invalid(`magnet:?xt=urn:btih:${HEX}&xl=-1`, /invalid xl/);
    invalid(`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /percent-encoding/);
    invalid(`magnet:?xt=urn:btih:${HEX}&dn=${'a'.repeat(70000)}`, /too long/);
  });
});

describe('magnet links with lone UTF-16 surrogates (found by fuzzing)', () => {
  it('reads them as U+FFFD, and formats any link without throwing', () => {
    const hash = 'ab'.repeat(20);
    const link = parseMagnet(`magnet:?xt=urn:btih:${hash}&dn=a\uD800b&tr=\uDC00`);
    assert.equal(link.name, 'a\uFFFDb');
    assert.deepEqual(link.trackers, ['\uFFFD']);
    assert.deepEqual(parseMagnet(formatMagnet(link)), link);
    const formatted = formatMagnet({
      infoHash: hash,
      name: 'x\uDBFF',
      trackers: [],
      webSeeds: [],
      peers: ['\uDC00:1'],
    });
    assert.equal(parseMagnet(formatted).name, 'x\uFFFD');
  });
});

test('magnetTarget: a v1 link by its btih; a v2-only link by its truncated btmh, the whole hash kept to check the metadata', () => {
  const v2 = 'a'.repeat(64);
  const both = parseMagnet(`magnet:?xt=urn:btih:${'b'.repeat(40)}&xt=urn:btmh:1220${v2}&dn=x`);
  assert.deepEqual(magnetTarget(both), { infoHash: 'b'.repeat(40), name: 'x' });
  const only = parseMagnet(`magnet:?xt=urn:btmh:1220${v2}`);
  assert.deepEqual(magnetTarget(only), { infoHash: v2.slice(0, 40), infoHashV2: v2 });
});
