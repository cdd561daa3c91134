import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { cliArgv } from '../../test/helpers/cli-entry.js';
import { isSeedcastError } from '../errors.js';
import { type CreateOptions, createTorrent } from './create.js';

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-create-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function file(t: TestContext, size = 1000): string {
  const path = join(folder(t), 'data.bin');
  writeFileSync(path, Buffer.alloc(Math.min(size, 1024 * 1024), 1));
  if (size > 1024 * 1024) truncateSync(path, size); // the rest sparse
  return path;
}

const quick: CreateOptions = { threads: 1, mainThread: true };

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSeedcastError(err), `expected a SeedcastError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('createTorrent rejects bad options with CREATE_OPTIONS', () => {
  const cases: [string, CreateOptions, RegExp][] = [
    ['an unknown version', { version: 'v3' as 'v1' }, /version/],
    ['a zero piece length', { pieceLength: 0 }, /positive/],
    ['a fractional piece length', { version: 'v1', pieceLength: 16384.5 }, /whole/],
    ['a v1 piece length that is not a multiple of 16 KiB', { version: 'v1', pieceLength: 20000 }, /multiple/],
    ['a v2 piece length that is not a power of two', { version: 'v2', pieceLength: 49152 }, /power of two/],
    ['a hybrid piece length under 16 KiB', { version: 'hybrid', pieceLength: 8192 }, /power of two/],
    ['a piece length over the limit', { version: 'v1', pieceLength: 2 ** 30 }, /limit/],
    ['a tracker that is not a URL', { announce: ['not a url'] }, /tracker/],
    ['a web seed that is not a URL', { urlList: ['::'] }, /web seed/],
    ['a name with a slash', { name: 'a/b' }, /name/],
    ['a name of ..', { name: '..' }, /name/],
    ['an empty name', { name: '' }, /name/],
    ['a name Windows reserves', { name: 'NUL' }, /reserved/],
    ['a creation date that is not whole seconds', { creationDate: 1.5 }, /creation date/],
  ];
  for (const [what, options, pattern] of cases) {
    it(what, async (t) => {
      await rejectsWith(createTorrent(file(t), { ...quick, ...options }), 'CREATE_OPTIONS', pattern);
    });
  }

  it('accepts a v1 piece length that is a multiple of 16 KiB but not a power of two', async (t) => {
    const r = await createTorrent(file(t, 100_000), { ...quick, version: 'v1', pieceLength: 49152 });
    assert.equal(r.pieceCount, 3);
  });
});

describe('createTorrent rejects input it cannot read with CREATE_INPUT', () => {
  it('a path that does not exist', async (t) => {
    await rejectsWith(createTorrent(join(folder(t), 'nope'), quick), 'CREATE_INPUT', /no such file/);
  });

  it('a folder without files', async (t) => {
    const dir = folder(t);
    mkdirSync(join(dir, 'empty', 'deeper'), { recursive: true });
    await rejectsWith(createTorrent(join(dir, 'empty'), quick), 'CREATE_INPUT', /no files/);
  });

  it('only empty files', async (t) => {
    const dir = folder(t);
    writeFileSync(join(dir, 'a'), '');
    await rejectsWith(createTorrent(dir, quick), 'CREATE_INPUT', /nothing to hash/);
  });

  it('a file whose name cannot be in a torrent (the parser would refuse it)', async (t) => {
    const dir = folder(t);
    writeFileSync(join(dir, 'ok.txt'), 'fine');
    writeFileSync(join(dir, 'aux.c'), 'int main;');
    await rejectsWith(
      createTorrent(dir, quick),
      'CREATE_INPUT',
      /aux\.c: cannot be in a torrent \(reserved name/,
    );
  });

  it('a FIFO given as the input', async (t) => {
    const fifo = join(folder(t), 'pipe');
    execFileSync('mkfifo', [fifo]);
    await rejectsWith(createTorrent(fifo, quick), 'CREATE_INPUT', /neither a regular file nor a folder/);
  });

  it('a file without read permission', async (t) => {
    const dir = folder(t);
    chmodSync(dir, 0o755);
    const path = join(dir, 'secret.bin');
    writeFileSync(path, 'secret');
    chmodSync(path, 0o000);
    if (process.getuid?.() !== 0) {
      await rejectsWith(createTorrent(path, quick), 'CREATE_INPUT', /permission denied/);
      await rejectsWith(createTorrent(dir, { threads: 2 }), 'CREATE_INPUT', /permission denied/);
      return;
    }
    // root reads any file: run the command as the unprivileged user "nobody" instead
    const asNobody = (...args: string[]) =>
      spawnSync(process.execPath, cliArgv(args), {
        uid: 65534,
        gid: 65534,
        cwd: dir,
        encoding: 'utf8',
      });
    const probe = asNobody('create', '--help');
    if (probe.status !== 0) {
      const why = `cannot run the command as "nobody" here: ${(probe.stderr || String(probe.error)).split('\n')[0]}`;
      if (process.env.CI === 'true') throw new Error(why);
      t.skip(why);
      return;
    }
    for (const target of [path, dir]) {
      const r = asNobody('create', target, '-o', join(tmpdir(), `seedcast-nobody-${process.pid}.torrent`));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^seedcast create: .*secret\.bin: permission denied\n$/);
    }
  });

  it('a file that is shorter when read than when listed (a worker thread reports it)', async (t) => {
    // the main thread hashes in slices of ~20 ms, between which progress is reported
    const path = file(t, 256 * 1024 * 1024);
    const run = createTorrent(path, {
      threads: 1,
      mainThread: true,
      version: 'v1',
      pieceLength: 16384,
      progressInterval: 1,
      onProgress: () => writeFileSync(path, ''),
    });
    await rejectsWith(run, 'CREATE_INPUT', /shrank/);
  });
});

describe('createTorrent progress and abort', () => {
  it('reports progress that grows to the total', async (t) => {
    const seen: [number, number][] = [];
    await createTorrent(file(t, 3 * 1024 * 1024), {
      ...quick,
      pieceLength: 16384,
      progressInterval: 1,
      onProgress: (done, total) => seen.push([done, total]),
    });
    assert.ok(seen.length >= 1);
    assert.deepEqual(seen.at(-1), [3 * 1024 * 1024, 3 * 1024 * 1024]);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![0] >= seen[i - 1]![0]);
  });

  it('an already aborted signal rejects before any work', async (t) => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createTorrent(file(t), { signal: controller.signal }), { name: 'AbortError' });
  });

  it('aborting while workers hash stops them and rejects with the reason', async (t) => {
    const path = file(t, 64 * 1024 * 1024);
    const controller = new AbortController();
    let calls = 0;
    const run = createTorrent(path, {
      threads: 2,
      version: 'hybrid',
      pieceLength: 16384,
      progressInterval: 1,
      signal: controller.signal,
      onProgress: (done) => {
        calls++;
        if (done > 0) controller.abort(new Error('stop now'));
      },
    });
    await assert.rejects(run, /stop now/);
    assert.ok(calls >= 1);
  });
});
