import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LIBTORRENT_PYTHON, requireTools, tempDir } from '../../test/helpers/tools.js';
import { encode } from '../bencode/index.js';
import { parseTorrent } from './parse.js';
import { unsafeComponentReason } from './paths.js';
import { libtorrentComponent, type StoragePathInput, storagePaths } from './sanitize.js';

const HELPERS = fileURLToPath(new URL('../../test/helpers/', import.meta.url));
const utf8 = new TextDecoder('utf-8', { fatal: false });
const b = (text: string) => Buffer.from(text, 'latin1');

interface Case {
  label: string;
  /** Raw bytes (latin1 strings, one char per byte). */
  name: string;
  /** Multi-file: each file's raw path components; absent: a single file. */
  files?: { path: string[]; length?: number; pad?: boolean }[];
  /** What libtorrent 2.0.8 printed (file_path), joined with "/". */
  libtorrent: string[];
  /** Ours, where we deliberately differ (see sanitize.ts). */
  ours?: string[];
}

const long300 = `${'x'.repeat(300)}.mkv`;
const CASES: Case[] = [
  { label: 'absolute path', name: 't', files: [{ path: ['/foobar'] }], libtorrent: ['t/foobar'] },
  {
    label: 'leading empty component',
    name: 't',
    files: [{ path: ['', 'foobar'] }],
    libtorrent: ['t/_/foobar'],
  },
  { label: 'backslash inside', name: 't', files: [{ path: ['a\\b'] }], libtorrent: ['t/ab'] },
  { label: 'slash inside', name: 't', files: [{ path: ['c/d'] }], libtorrent: ['t/cd'] },
  { label: 'empty middle', name: 't', files: [{ path: ['a', '', 'b'] }], libtorrent: ['t/a/_/b'] },
  { label: 'empty last', name: 't', files: [{ path: ['a', ''] }], libtorrent: ['t/a/_'] },
  { label: 'dot', name: 't', files: [{ path: ['a', '.', 'b'] }], libtorrent: ['t/a/b'] },
  {
    label: 'dot-dot climbing',
    name: 't',
    files: [{ path: ['foo', '..', '..', 'bar'] }],
    libtorrent: ['t/foo/bar'],
  },
  {
    label: 'dots that are names',
    name: 't',
    files: [{ path: ['...'] }, { path: ['..a'] }, { path: ['a..'] }, { path: ['x', '\\..', 'y'] }],
    libtorrent: ['t/...', 't/..a', 't/a..', 't/x/y'],
  },
  {
    label: 'over-long with extension',
    name: 't',
    files: [{ path: [long300] }],
    libtorrent: [`t/${'x'.repeat(240)}.mkv`],
  },
  {
    label: 'long under 255 but over 240',
    name: 't',
    files: [{ path: ['y'.repeat(250)] }, { path: [`${'z'.repeat(245)}.txt`] }],
    libtorrent: [`t/${'y'.repeat(240)}`, `t/${'z'.repeat(240)}.txt`],
  },
  {
    label: 'over-long, extension too long to keep',
    name: 't',
    files: [{ path: [`${'x'.repeat(300)}.abcdefghijk`] }],
    libtorrent: [`t/${'x'.repeat(240)}`],
  },
  {
    label: 'over-long multi-byte',
    name: 't',
    files: [{ path: [Buffer.from(`${'é'.repeat(130)}.txt`).toString('latin1')] }],
    libtorrent: [`t/${Buffer.from('é'.repeat(120)).toString('latin1')}.txt`],
  },
  { label: 'name ..', name: '..', files: [{ path: ['a'] }], libtorrent: ['<hash>/a'] },
  { label: 'name .', name: '.', files: [{ path: ['a'] }], libtorrent: ['<hash>/a'] },
  { label: 'name empty', name: '', files: [{ path: ['a'] }], libtorrent: ['_/a'] },
  { label: 'name with separators', name: '/x\\y', files: [{ path: ['a'] }], libtorrent: ['xy/a'] },
  { label: 'single file name with slash', name: 'a/b', libtorrent: ['ab'] },
  {
    label: 'control characters',
    name: 't',
    files: [{ path: ['a\x01b\x7fc\tz'] }],
    libtorrent: ['t/a_b\x7fc_z'],
    ours: ['t/a_b_c_z'],
  },
  {
    label: 'duplicates after sanitising',
    name: 't',
    files: [{ path: ['a\\b'] }, { path: ['ab'] }, { path: ['a/b'] }],
    libtorrent: ['t/ab', 't/ab.1', 't/ab.2'],
  },
  {
    label: 'duplicates keep the extension',
    name: 't',
    files: [{ path: ['x.txt'] }, { path: ['x.txt'] }, { path: ['x.txt'] }],
    libtorrent: ['t/x.txt', 't/x.1.txt', 't/x.2.txt'],
  },
  {
    label: 'renamed name taken by a later file',
    name: 't',
    files: [{ path: ['a'] }, { path: ['a'] }, { path: ['a.1'] }],
    libtorrent: ['t/a', 't/a.1', 't/a.1.1'],
  },
  {
    label: 'duplicates interleaved, case ignored',
    name: 't',
    files: [
      { path: ['a'] },
      { path: ['a'] },
      { path: ['a.1'] },
      { path: ['a'] },
      { path: ['A'] },
      { path: ['a.2'] },
    ],
    libtorrent: ['t/a', 't/a.1', 't/a.1.1', 't/a.2', 't/A.3', 't/a.1.2'],
  },
  {
    label: 'a file and a folder of the same name',
    name: 't',
    files: [{ path: ['a'] }, { path: ['a', 'b'] }],
    libtorrent: ['t/a.1', 't/a/b'],
  },
  {
    label: 'a folder and a file of the same name',
    name: 't',
    files: [{ path: ['a', 'b'] }, { path: ['a'] }],
    libtorrent: ['t/a/b', 't/a.1'],
  },
  {
    label: 'case-only difference',
    name: 't',
    files: [{ path: ['A.txt'] }, { path: ['a.txt'] }],
    libtorrent: ['t/A.txt', 't/a.1.txt'],
  },
  {
    label: 'Windows names',
    name: 't',
    files: [{ path: ['CON'] }, { path: ['nul.txt'] }, { path: ['C:x'] }, { path: ['a:b*c?d"e<f>g|h'] }],
    libtorrent: ['t/CON', 't/nul.txt', 't/C:x', 't/a:b*c?d"e<f>g|h'],
    ours: ['t/_CON', 't/_nul.txt', 't/C_x', 't/a_b*c?d"e<f>g|h'],
  },
  {
    label: 'trailing dots and spaces',
    name: 't',
    files: [{ path: ['a. '] }, { path: ['b...'] }, { path: [' c'] }],
    libtorrent: ['t/a. ', 't/b...', 't/ c'],
  },
  {
    label: 'invalid UTF-8',
    name: 't',
    files: [
      { path: ['a\xffb'] },
      { path: ['c\xc3'] },
      { path: ['\xe2\x82'] },
      { path: ['\xed\xa0\x80x'] },
      { path: ['\xc3ab'] },
      { path: ['\xc0\x80z'] },
      { path: ['\xf8abcdefg'] },
      { path: ['\xfc\xfdq'] },
      { path: ['ok\xef\xbf\xbd'] },
    ],
    libtorrent: ['t/a_b', 't/c_', 't/_', 't/_x', 't/_b', 't/_z', 't/_efg', 't/__q', 't/ok\xef\xbf\xbd'],
  },
  {
    label: 'bidi override',
    name: 't',
    files: [{ path: ['a\xe2\x80\xaeb'] }],
    libtorrent: ['t/ab'],
  },
  {
    label: 'every component vanishes',
    name: 't',
    files: [{ path: ['..'] }, { path: ['b'] }, { path: ['/'] }, { path: ['a', '..'] }],
    libtorrent: ['t/_', 't/b', 't/_.1', 't/a'],
  },
  {
    label: 'padding files of one size share a path',
    name: 't',
    files: [
      { path: ['a'], length: 5 },
      { path: ['.pad', '16379'], length: 16379, pad: true },
      { path: ['b'], length: 5 },
      { path: ['.pad', '16379'], length: 16379, pad: true },
      { path: ['c'], length: 5 },
    ],
    libtorrent: ['t/a', 't/.pad/16379', 't/b', 't/.pad/16379', 't/c'],
  },
];

function torrentOf(c: Case): { bytes: Buffer; input: StoragePathInput } {
  const info = new Map<string, unknown>([
    ['name', b(c.name)],
    ['piece length', 16384],
  ]);
  let total: number;
  if (c.files) {
    const list = c.files.map((f) => {
      const entry = new Map<string, unknown>([
        ['length', f.length ?? 1],
        ['path', f.path.map(b)],
      ]);
      if (f.pad) entry.set('attr', b('p'));
      return entry;
    });
    info.set('files', list);
    total = c.files.reduce((sum, f) => sum + (f.length ?? 1), 0);
  } else {
    info.set('length', 1);
    total = 1;
  }
  info.set('pieces', Buffer.alloc(20 * Math.ceil(total / 16384)));
  const infoBytes = encode(info as never);
  const bytes = encode(new Map([['info', info]]) as never);
  const name = utf8.decode(b(c.name));
  const input: StoragePathInput = {
    version: 'v1',
    multiFile: c.files !== undefined,
    infoHash: createHash('sha1').update(infoBytes).digest('hex'),
    files: (c.files ?? [{ path: [] }]).map((f) => ({
      path: c.files ? [name, ...f.path.map((p) => utf8.decode(b(p)))] : [name],
      length: f.length ?? 1,
      padding: f.pad ?? false,
    })),
    raw: (c.files ?? [{ path: [] }]).map((f) => [b(c.name), ...f.path.map(b)]),
  };
  return { bytes, input };
}

function expected(which: string[], infoHash: string): string[] {
  return which.map((p) => Buffer.from(p.replace('<hash>', infoHash), 'latin1').toString('utf8'));
}

describe('storagePaths sanitises like libtorrent 2.0.8', () => {
  for (const c of CASES) {
    test(c.label, () => {
      const { input } = torrentOf(c);
      const got = storagePaths(input);
      assert.deepEqual(
        got.map((p) => p.join('/')),
        expected(c.ours ?? c.libtorrent, input.infoHash),
      );
      for (const parts of got)
        for (const part of parts) assert.equal(unsafeComponentReason(part), undefined, part);
      const keys = got.map((p) => p.join('/').toLowerCase());
      const real = got.filter((_, i) => !input.files[i]!.padding).map((p) => p.join('/').toLowerCase());
      assert.equal(new Set(real).size, real.length, `collision in ${keys.join(', ')}`);
    });
  }

  test('parseTorrent fills storagePath the same way for every case, keeping path as given', () => {
    for (const c of CASES) {
      const { bytes, input } = torrentOf(c);
      const meta = parseTorrent(bytes);
      assert.deepEqual(
        meta.files.map((f) => f.storagePath.join('/')),
        expected(c.ours ?? c.libtorrent, input.infoHash),
        c.label,
      );
      assert.deepEqual(
        meta.files.map((f) => f.path),
        input.files.map((f) => f.path),
        `${c.label}: path is the torrent's own`,
      );
    }
  });

  test('libtorrent itself prints the same paths (python3-libtorrent)', (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    const files = CASES.map((c, i) => {
      const path = join(dir, `${i}.torrent`);
      writeFileSync(path, torrentOf(c).bytes);
      return path;
    });
    const out = execFileSync(
      LIBTORRENT_PYTHON,
      [
        '-c',
        `import sys; sys.path.insert(0, ${JSON.stringify(HELPERS)}); import lt_tool; lt_tool.file_paths_main()`,
        ...files,
      ],
      { encoding: 'utf8' },
    );
    const answers = JSON.parse(out) as { files?: string[]; error?: string }[];
    CASES.forEach((c, i) => {
      const { input } = torrentOf(c);
      assert.deepEqual(answers[i]!.files, expected(c.libtorrent, input.infoHash), c.label);
      if (!c.ours) {
        assert.deepEqual(
          storagePaths(input).map((p) => p.join('/')),
          answers[i]!.files,
          `${c.label}: ours = libtorrent's`,
        );
      }
    });
  });
});

test('100,000 files of one name are renamed in linear time, .1 to .99999 in order', () => {
  const files = Array.from({ length: 100_000 }, () => ({
    path: ['t', 'same.txt'],
    length: 1,
    padding: false,
  }));
  const started = performance.now();
  const got = storagePaths({ version: 'v1', multiFile: true, infoHash: '0'.repeat(40), files });
  assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
  assert.equal(got[0]!.join('/'), 't/same.txt');
  assert.equal(got[1]!.join('/'), 't/same.1.txt');
  assert.equal(got[99_999]!.join('/'), 't/same.99999.txt');
});

test('an invalid UTF-8 name names the folder of every file, padding files without a path too (fuzz finding)', () => {
  const meta = parseTorrent(
    encode({
      info: {
        name: Buffer.from('n\xc3ame', 'latin1'),
        'piece length': 16384,
        pieces: Buffer.alloc(40),
        files: [
          { length: 100, path: ['a.bin'] },
          { length: 16284, attr: 'p' },
          { length: 5, path: ['b.txt'] },
        ],
      },
    } as never),
  );
  assert.deepEqual(
    meta.files.map((f) => f.storagePath.join('/')),
    ['n_me/a.bin', 'n_me/.pad/16284', 'n_me/b.txt'],
  );
});

describe('libtorrentComponent', () => {
  test('drops . and .., keeps _ for empty', () => {
    assert.equal(libtorrentComponent('.'), undefined);
    assert.equal(libtorrentComponent('..'), undefined);
    assert.equal(libtorrentComponent('/'), undefined);
    assert.equal(libtorrentComponent(''), '_');
    assert.equal(libtorrentComponent('a.b'), 'a.b');
  });

  test('a suffix never makes a component longer than 255 bytes', () => {
    const name = `${'q'.repeat(240)}.abcdefgh`;
    const got = storagePaths({
      version: 'v1',
      multiFile: true,
      infoHash: '0'.repeat(40),
      files: Array.from({ length: 12 }, () => ({ path: ['t', name], length: 1, padding: false })),
    });
    assert.equal(new Set(got.map((p) => p.join('/'))).size, 12);
    for (const p of got) assert.ok(Buffer.byteLength(p[1]!) <= 255, `${Buffer.byteLength(p[1]!)} bytes`);
    assert.equal(got[11]![1], `${'q'.repeat(240)}.11.abcdefgh`);
  });
});
