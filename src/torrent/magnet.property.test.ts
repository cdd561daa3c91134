import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatMagnet, parseMagnet } from './magnet.js';
import type { MagnetLink } from './types.js';

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });

const link: fc.Arbitrary<MagnetLink> = fc
  .record(
    {
      infoHash: hex(20),
      infoHashV2: hex(32),
      name: text,
      length: fc.maxSafeNat(),
      trackers: fc.uniqueArray(nonEmpty, { maxLength: 3 }),
      webSeeds: fc.uniqueArray(nonEmpty, { maxLength: 3 }),
      peers: fc.array(nonEmpty, { maxLength: 3 }),
      sources: fc.uniqueArray(nonEmpty, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['trackers', 'webSeeds', 'peers'] },
  )
  .filter((l) => l.infoHash !== undefined || l.infoHashV2 !== undefined)
  .map((l) => ({ ...l }));

test('formatting a magnet link and parsing it gives back the same link', () => {
  fc.assert(
    fc.property(link, (l) => {
      assert.deepEqual(parseMagnet(formatMagnet(l)), l);
    }),
    { numRuns: 500 },
  );
});
