/**
 * Magnet links (BEP 9, BEP 52 `btmh`). The input is read as UTF-8, Latin-1 or UTF-16 (the first
 * byte chooses), so lone surrogates and odd code points get in too. Contract: a MagnetLink or a
 * SeedcastError. Property: formatting a parsed link and parsing it again gives the same link.
 */

import assert from 'node:assert/strict';
import { formatMagnet, parseMagnet } from '../../src/torrent/index.js';
import type { FuzzTarget } from '../engine/target.js';

export function magnetText(data: Buffer): string {
  const mode = data.length > 0 ? data[0]! % 3 : 0;
  const rest = data.subarray(1);
  return mode === 0 ? rest.toString('utf8') : mode === 1 ? rest.toString('latin1') : rest.toString('utf16le');
}

export const target: FuzzTarget = {
  description: 'parseMagnet, format/parse round trip',
  cover: ['/src/torrent/magnet'],
  dictionary: [
    'magnet:?',
    'xt=urn:btih:',
    'xt=urn:btmh:1220',
    'dn=',
    'tr=',
    'ws=',
    'x.pe=',
    'xl=',
    '&',
    '%',
    '%2',
    '%ZZ',
    '%C3%A9',
    '%ED%A0%80',
    '+',
    '.1',
    '0123456789abcdef0123456789abcdef01234567',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  ],
  make: () => (data) => {
    const link = parseMagnet(magnetText(data));
    assert.ok(link.infoHash || link.infoHashV2);
    if (link.infoHash) assert.match(link.infoHash, /^[0-9a-f]{40}$/);
    if (link.infoHashV2) assert.match(link.infoHashV2, /^[0-9a-f]{64}$/);
    if (link.length !== undefined) assert.ok(Number.isSafeInteger(link.length) && link.length >= 0);
    assert.deepEqual(parseMagnet(formatMagnet(link)), link, 'parse(format(link)) differs');
  },
};
