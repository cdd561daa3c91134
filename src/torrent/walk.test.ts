import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listInput, sortFiles } from './walk.js';

describe('listing the input', () => {
  it('orders paths as mktorrent (whole path bytes) and as BEP 52 (component by component)', () => {
    const files = [['a0'], ['a', 'b'], ['a-c', 'f'], ['B'], ['é'], ['.x'], ['a', 'b', 'c'], ['ab']].map(
      (path) => ({
        path,
      }),
    );
    assert.deepEqual(
      sortFiles(files, 'v1').map((f) => f.path.join('/')),
      ['.x', 'B', 'a-c/f', 'a/b', 'a/b/c', 'a0', 'ab', 'é'],
    );
    assert.deepEqual(
      sortFiles(files, 'v2').map((f) => f.path.join('/')),
      ['.x', 'B', 'a/b', 'a/b/c', 'a-c/f', 'a0', 'ab', 'é'],
    );
  });

  it('lists hidden and empty files, skips empty folders, dangling links and links out of the folder', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-walk-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'sub', 'emptydir'), { recursive: true });
    writeFileSync(join(root, '.hidden'), 'h');
    writeFileSync(join(root, 'sub', 'empty'), '');
    writeFileSync(join(dir, 'outside'), 'o');
    symlinkSync(join(dir, 'outside'), join(root, 'out-link'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    symlinkSync('.hidden', join(root, 'in-link'));
    const listing = await listInput(root);
    assert.equal(listing.name, 'root');
    assert.equal(listing.single, false);
    assert.deepEqual(listing.files.map((f) => f.path.join('/')).sort(), ['.hidden', 'in-link', 'sub/empty']);
    assert.deepEqual(listing.skipped.map((s) => `${s.path}: ${s.reason}`).sort(), [
      'dangling: dangling symbolic link',
      'out-link: symbolic link out of the folder',
    ]);
  });

  it('a single file is one entry named after it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-walk-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'one.txt'), 'abc');
    const listing = await listInput(join(dir, 'one.txt'));
    assert.deepEqual(
      listing.files.map((f) => [f.path, f.length]),
      [[['one.txt'], 3]],
    );
    assert.equal(listing.single, true);
  });
});
