import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { checkPieceLength, choosePieceLength, isPowerOfTwo } from './piece-length.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('automatic piece length', () => {
  it('is 16 KiB for small content', () => {
    assert.equal(choosePieceLength(1), 16 * KiB);
    assert.equal(choosePieceLength(2000 * 16 * KiB), 16 * KiB);
  });

  it('doubles once the content would need more than 2000 pieces', () => {
    assert.equal(choosePieceLength(2000 * 16 * KiB + 1), 32 * KiB);
    assert.equal(choosePieceLength(700 * MiB), 512 * KiB);
    assert.equal(choosePieceLength(2 * GiB), 2 * MiB);
    assert.equal(choosePieceLength(8 * GiB), 8 * MiB);
  });

  it('gives 1000 to 2000 pieces, a power of two, between 16 KiB and 16 MiB', () => {
    for (let size = 40 * MiB; size < 30 * GiB; size = Math.floor(size * 1.37)) {
      const length = choosePieceLength(size);
      const pieces = Math.ceil(size / length);
      assert.ok(isPowerOfTwo(length), `${length}`);
      assert.ok(pieces > 1000 && pieces <= 2000, `${size} bytes -> ${pieces} pieces of ${length}`);
    }
  });

  it('stops at 16 MiB for huge content', () => {
    assert.equal(choosePieceLength(500 * GiB), 16 * MiB);
  });
});

describe('given piece lengths', () => {
  const bad = (length: number, version: 'v1' | 'v2' | 'hybrid') =>
    assert.throws(
      () => checkPieceLength(length, version),
      (e: unknown) => isSeedcastError(e, 'CREATE_OPTIONS'),
    );

  it('v1 takes any multiple of 16 KiB up to 128 MiB', () => {
    checkPieceLength(16 * KiB, 'v1');
    checkPieceLength(48 * KiB, 'v1');
    checkPieceLength(128 * MiB, 'v1');
    bad(1000, 'v1');
    bad(0, 'v1');
    bad(-16 * KiB, 'v1');
    bad(256 * MiB, 'v1');
  });

  it('v2 and hybrid need a power of two of at least 16 KiB', () => {
    for (const v of ['v2', 'hybrid'] as const) {
      checkPieceLength(16 * KiB, v);
      checkPieceLength(4 * MiB, v);
      bad(8 * KiB, v);
      bad(48 * KiB, v);
      bad(Number.NaN, v);
    }
  });
});
