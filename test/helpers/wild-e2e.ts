/**
 * End-to-end helpers for issue 21's wild torrents: the built command (`bin/seedcast.js`, dist/) run
 * with a deadline, a libtorrent seeder for a torrent whose paths libtorrent sanitises (`lt_tool.py
 * seed-odd`: each file is placed where libtorrent itself stores it, then checked), and the checks of
 * where a download landed: every file of the torrent exactly once, byte for byte, under safe path
 * components, inside the output folder, and nothing anywhere else under the test's folder.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { TestContext } from 'node:test';
import { parseTorrent } from '../../src/torrent/index.js';
import type { Metainfo, TorrentFile } from '../../src/torrent/types.js';
import { type CliResult, LIBTORRENT_PYTHON, type Running, run, start, testEnv } from './tools.js';
import { type Built, benc } from './wild-torrents.js';

export const BIN = new URL('../../bin/seedcast.js', import.meta.url).pathname;
export const LT_TOOL = new URL('./lt_tool.py', import.meta.url).pathname;

/** A torrent to move end to end and the content it describes (paths as the torrent says them). */
export interface OddTorrent {
  label: string;
  version: 'v1' | 'v2' | 'hybrid';
  torrent: Buffer;
  /** Path components as in the torrent, the name first for a multi-file torrent. */
  files: { path: string[]; data: Buffer; symlink?: string[] }[];
  /** The bencoded `info` dictionary exactly as written in `torrent`. */
  infoBytes: Buffer;
  /** What the seeder loads, when not `torrent` (the same info dictionary, e.g. with its piece layers). */
  seederTorrent?: Buffer;
}

/** An `OddTorrent` from the corpus builder's dictionaries (as edited), optionally with bytes after the end. */
export function oddFrom(label: string, version: OddTorrent['version'], b: Built, tail?: Buffer): OddTorrent {
  const torrent = benc(b.top);
  const infoBytes = benc(b.info);
  assert.ok(torrent.includes(infoBytes), 'the info dictionary is written as built');
  return {
    label,
    version,
    torrent: tail ? Buffer.concat([torrent, tail]) : torrent,
    infoBytes,
    files: b.files,
  };
}

export interface LtInfo {
  v1: string | null;
  v2: string | null;
  name: string;
  files: { path: string; length: number }[];
}

/** libtorrent 2.0.8's reading of a torrent (`lt_tool.py info`); throws when it refuses it. */
export function ltInfo(torrent: Buffer, dir: string): LtInfo {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'lt-info.torrent');
  writeFileSync(path, torrent);
  return JSON.parse(run(LIBTORRENT_PYTHON, [LT_TOOL, 'info', path])) as LtInfo;
}

/** Run the built `seedcast` (bin/seedcast.js) to completion, killed after `timeoutMs`. */
export function runBin(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: testEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-200_000);
    });
    const timer = setTimeout(() => {
      stderr += `\n[test] killed after ${options.timeoutMs ?? 90_000} ms\n`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Start the built `seedcast` as a long-running command (killed when the test ends). */
export function startBin(t: TestContext, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Running {
  return start(t, process.execPath, [BIN, ...args], options);
}

function compareComponents(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[i]!));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * The torrent's files in libtorrent's order: the `files` list's for v1, the file tree's for v2 and
 * hybrid (a canonical tree is walked in byte order of its keys).
 */
export function libtorrentOrder(w: OddTorrent): OddTorrent['files'] {
  if (w.version === 'v1') return w.files;
  return [...w.files].sort((a, b) => compareComponents(a.path.slice(1), b.path.slice(1)));
}

export interface LtSeeder {
  port: number;
  /** Where libtorrent stores each file (its sanitised paths, relative to its save path). */
  files: string[];
  proc: Running;
}

/** libtorrent 2.0.8 seeding `w`, its content placed under libtorrent's own (sanitised) paths. */
export async function ltSeedOdd(t: TestContext, w: OddTorrent, dir: string): Promise<LtSeeder> {
  mkdirSync(dir, { recursive: true });
  const torrentPath = join(dir, 'seeder.torrent');
  writeFileSync(torrentPath, w.seederTorrent ?? w.torrent);
  const contentDir = join(dir, 'content');
  mkdirSync(contentDir);
  libtorrentOrder(w).forEach((f, i) => {
    writeFileSync(join(contentDir, String(i)), f.data);
  });
  const save = join(dir, 'save');
  mkdirSync(save);
  const proc = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed-odd', torrentPath, save, contentDir]);
  const m = await proc.waitFor(/^\{"port": (\d+), "files": (.*)\}$/m, 120_000);
  return { port: Number(m[1]), files: JSON.parse(m[2]!) as string[], proc };
}

/** The BEP 52 hash messages libtorrent's peers exchanged with it so far (seed-odd's peer log). */
export async function ltHashCounts(
  seeder: LtSeeder,
  atLeast = 0,
  ms = 5_000,
): Promise<{ hashRequests: number; hashes: number; hashRejects: number }> {
  const read = () => {
    const all = [
      ...seeder.proc.output().matchAll(/"hash_requests": (\d+), "hashes": (\d+), "hash_rejects": (\d+)/g),
    ];
    const m = all.at(-1);
    return {
      hashRequests: Number(m?.[1] ?? 0),
      hashes: Number(m?.[2] ?? 0),
      hashRejects: Number(m?.[3] ?? 0),
    };
  };
  const until = Date.now() + ms;
  while (read().hashes < atLeast && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return read();
}

export interface LtDownload {
  have: number;
  total: number;
  state: string;
  /** BEP 52 messages libtorrent sent (requests) and received (hashes, rejects, requests). */
  hash_requests_sent: number;
  hashes_received: number;
  hash_rejects_received: number;
  hash_requests_received: number;
}

/**
 * libtorrent downloads `w` (its `.torrent`, or a magnet link: `urn:btmh` for v2-only) from `peer`
 * into `dir`/lt-N; asserts it completes and that every file is byte-exact where libtorrent stores it.
 */
export function ltDownloadFrom(
  w: OddTorrent,
  peer: string,
  dir: string,
  by: 'torrent' | 'magnet',
): LtDownload {
  const work = mkdtempSync(join(dir, 'lt-'));
  const info = ltInfo(w.torrent, work);
  const torrentPath = join(work, 'lt-info.torrent');
  const source =
    by === 'torrent'
      ? torrentPath
      : w.version === 'v2'
        ? `magnet:?xt=urn:btmh:1220${info.v2}`
        : `magnet:?xt=urn:btih:${info.v1}`;
  const out = join(work, 'out');
  const result = JSON.parse(
    execFileSync(LIBTORRENT_PYTHON, [LT_TOOL, 'download-hashes', source, out, peer], {
      encoding: 'utf8',
      env: { ...process.env, LT_TIMEOUT: '40' },
    }),
  ) as LtDownload;
  assert.ok(
    result.total > 0 && result.have === result.total,
    `libtorrent finished: ${JSON.stringify(result)}`,
  );
  const wanted = libtorrentOrder(w).filter((f) => !f.symlink);
  assert.equal(info.files.length, wanted.length);
  info.files.forEach((f, i) => {
    assert.ok(readFileSync(join(out, f.path)).equals(wanted[i]!.data), `${f.path} is byte-exact`);
  });
  return result;
}

/** Every file, symlink and folder under `dir`, by path relative to it ('/'-separated). */
export function listTree(dir: string): Map<string, 'file' | 'dir' | 'symlink' | 'other'> {
  const out = new Map<string, 'file' | 'dir' | 'symlink' | 'other'>();
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const path = join(abs, name);
      const st = lstatSync(path);
      const rel = relative(dir, path).split(sep).join('/');
      const kind = st.isSymbolicLink()
        ? 'symlink'
        : st.isDirectory()
          ? 'dir'
          : st.isFile()
            ? 'file'
            : 'other';
      out.set(rel, kind);
      if (kind === 'dir') walk(path);
    }
  };
  walk(dir);
  return out;
}

/** Why a path component written to disk is not safe (undefined: it is). */
export function unsafeOnDisk(component: string): string | undefined {
  if (component === '' || component === '.' || component === '..') return `"${component}"`;
  if (/[\\/\0]/.test(component)) return 'a separator or NUL inside';
  if (Buffer.byteLength(component) > 255) return `${Buffer.byteLength(component)} bytes (over 255)`;
  return undefined;
}

/** Our parser's view of the torrent, or the error it gives. */
export function ourView(torrent: Buffer): Metainfo | Error {
  try {
    return parseTorrent(torrent);
  } catch (err) {
    return err as Error;
  }
}

/** Where we store a file (issue 21's `storagePath`; checked at run time too, for a clear failure). */
export function storagePathOf(f: TorrentFile): string[] | undefined {
  return Array.isArray(f.storagePath) ? f.storagePath : undefined;
}

/**
 * Checks a finished download: under `base` (the test's folder, holding `out` somewhere below it)
 * there is nothing but folders leading to `out` and, inside `out`, exactly the torrent's files
 * (symlinks: nothing or a symlink), each once and byte-exact, every path component safe.
 */
export function assertLanded(base: string, out: string, w: OddTorrent): void {
  const outRel = relative(base, out).split(sep).join('/');
  const ancestors = new Set(outRel.split('/').map((_, i, all) => all.slice(0, i + 1).join('/')));
  const outside =
    outRel === ''
      ? []
      : [...listTree(base).keys()].filter((p) => !ancestors.has(p) && !p.startsWith(`${outRel}/`));
  assert.deepEqual(outside, [], `nothing is written outside the output folder ${out}`);

  const tree = listTree(out);
  const files = [...tree].filter(([, kind]) => kind !== 'dir');
  for (const [path] of tree) {
    for (const c of path.split('/')) assert.equal(unsafeOnDisk(c), undefined, `${path}: unsafe component`);
  }
  const unmatched = new Set(files.filter(([, k]) => k === 'file').map(([p]) => p));
  const byContent = new Map<string, Buffer>();
  for (const p of unmatched) byContent.set(p, readFileSync(join(out, p)));
  for (const f of w.files) {
    if (f.symlink) continue;
    const hit = [...unmatched].find((p) => byContent.get(p)!.equals(f.data));
    assert.ok(
      hit,
      `${f.path.join('/')} (${f.data.length} bytes) landed byte-exact somewhere in ${out}; there: ${JSON.stringify([...tree.keys()])}`,
    );
    unmatched.delete(hit);
  }
  assert.deepEqual([...unmatched], [], 'no other file in the output folder');
  const others = files.filter(([, k]) => k !== 'file' && k !== 'symlink');
  assert.deepEqual(others, [], 'nothing but files, folders and symlinks');
  // A symlink only where the torrent has one (BEP 47), and never one that leads out of the folder.
  const links = files.filter(([, k]) => k === 'symlink').map(([p]) => p);
  if (!w.files.some((f) => f.symlink)) assert.deepEqual(links, [], 'no symlink');
  for (const link of links) {
    const target = resolve(dirname(join(out, link)), readlinkSync(join(out, link)));
    assert.ok(!relative(out, target).startsWith('..'), `${link} -> ${target} stays inside`);
  }
}

/**
 * The parser's files (padding left out) paired with the content they describe, in torrent order; an
 * error when they do not pair up (a corpus entry edited after it was built).
 */
export function pairFiles(
  w: OddTorrent,
  meta: Metainfo,
): { ours: TorrentFile; data: Buffer; symlink: boolean }[] {
  const ours = meta.files.filter((f) => !f.padding);
  assert.equal(ours.length, w.files.length, 'the parser and the content agree on the number of files');
  return ours.map((f, i) => {
    const c = w.files[i]!;
    assert.equal(!!f.symlinkPath, !!c.symlink, `${f.path.join('/')}: a symlink on both sides or neither`);
    if (!c.symlink) assert.equal(f.length, c.data.length, `${f.path.join('/')}: the same length`);
    return { ours: f, data: c.data, symlink: !!c.symlink };
  });
}

/**
 * Every file is stored (under `out`) where our parser's `storagePath` says (what `seedcast info`
 * shows), byte-exact, and that is where libtorrent 2.0.8 stores the same file (`ltFiles`, its
 * non-pad, non-symlink files in its order): `storagePath` follows libtorrent's rules.
 */
export function compareNames(
  t: TestContext,
  w: OddTorrent,
  out: string,
  ltFiles: string[],
  /** The top folder was renamed (the aggregator names it after the item): compare what is inside it. */
  options: { rename?: boolean } = {},
): void {
  const inner = (p: string[]) => (options.rename ? p.slice(1) : p).join('/');
  const meta = ourView(w.torrent);
  if (meta instanceof Error) throw meta;
  const pairs = pairFiles(w, meta);
  const ltOrder = libtorrentOrder(w).filter((f) => !f.symlink);
  const differs: string[] = [];
  const stored: string[] = [];
  for (const [i, { ours, data, symlink }] of pairs.entries()) {
    if (symlink) continue;
    const storage = storagePathOf(ours);
    assert.ok(storage, `the parser gives ${ours.path.join('/')} a storagePath`);
    const where = inner(storage);
    stored.push(where);
    assert.ok(
      readFileSync(join(out, where)).equals(data),
      `${where} holds ${JSON.stringify(ours.path)}, byte-exact`,
    );
    const j = ltOrder.indexOf(w.files[i]!);
    const lt = ltFiles[j] === undefined ? undefined : inner(ltFiles[j]!.split('/'));
    if (lt !== where) differs.push(`${JSON.stringify(ours.path)}: ours ${where}, libtorrent ${lt}`);
  }
  t.diagnostic(`stored as: ${JSON.stringify(stored)}`);
  assert.deepEqual(differs, [], 'every file is stored under the name libtorrent 2.0.8 gives it');
}
