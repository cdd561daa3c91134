import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadAppSecret, sameSecret } from './secret.js';

function home(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'seedcast-app-secret-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('the app secret', () => {
  it('is made once with mode 0600 and stays the same across restarts', async (t) => {
    const dir = home(t);
    const first = await loadAppSecret(dir);
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, 'app-secret')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dir, 'app-secret'), 'utf8').trim(), first.token);
    const again = await loadAppSecret(dir);
    assert.deepEqual(again, first);
    assert.notEqual(first.csrf, first.token);
    assert.ok(!first.csrf.includes(first.token));
    assert.notEqual((await loadAppSecret(home(t))).token, first.token, 'another install, another secret');
  });

  it('a readable file is narrowed to 0600; garbage is replaced; a symlink is refused', async (t) => {
    const dir = home(t);
    const { token } = await loadAppSecret(dir);
    chmodSync(join(dir, 'app-secret'), 0o644);
    assert.equal((await loadAppSecret(dir)).token, token);
    assert.equal(statSync(join(dir, 'app-secret')).mode & 0o777, 0o600);
    writeFileSync(join(dir, 'app-secret'), 'short\n');
    assert.notEqual((await loadAppSecret(dir)).token, 'short');
    const other = home(t);
    writeFileSync(join(other, 'known'), `${'a'.repeat(64)}\n`);
    symlinkSync(join(other, 'known'), join(other, 'app-secret'));
    await assert.rejects(loadAppSecret(other), /not a regular file/);
  });

  it('compares in constant time, refusing other lengths and absence', () => {
    assert.equal(sameSecret('abc', 'abc'), true);
    assert.equal(sameSecret('abd', 'abc'), false);
    assert.equal(sameSecret('ab', 'abc'), false);
    assert.equal(sameSecret(undefined, 'abc'), false);
  });
});
