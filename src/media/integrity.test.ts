/**
 * Subresource Integrity strings: the SHA-384 of a file in base64, as the same hash of its bytes
 * computed whole, for an empty file and one of several read chunks; a missing file rejects.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/helpers/tools.js';
import { sha384Integrity } from './integrity.js';

describe('sha384Integrity', () => {
  test('hashes the file as it streams, in SRI form', async (t) => {
    const dir = tempDir(t);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    // The SHA-384 of nothing, as published in the SRI specification's examples.
    assert.equal(
      await sha384Integrity(empty),
      'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb',
    );
    const big = join(dir, 'big');
    const bytes = randomBytes(1024 * 1024 + 17);
    writeFileSync(big, bytes);
    assert.equal(await sha384Integrity(big), `sha384-${createHash('sha384').update(bytes).digest('base64')}`);
    await assert.rejects(sha384Integrity(join(dir, 'missing')), /ENOENT/);
  });
});
