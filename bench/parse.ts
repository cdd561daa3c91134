/**
 * Benchmark: parsing large `.torrent` files, Seedcast's `parseTorrent` against libtorrent 2.0.8's
 * `torrent_info` (python3-libtorrent, timed inside one Python process so interpreter start-up is
 * not counted), on the same bytes: many files (v1 10k and 100k, hybrid 10k with padding and piece
 * layers), many pieces (v1 single file of 200k pieces, v2 single file of 100k pieces with its piece
 * layer). Prints the time per parse of each and the ratio ours/libtorrent (lower is better).
 *
 *   npm run bench:parse [-- --iterations N]
 *
 * Note: parseTorrent checks every piece layer against its file's root (SHA-256 over the layer);
 * libtorrent's torrent_info does not (it checks them when the torrent is added to a session).
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTorrent } from '../src/torrent/index.js';
import { layerRoot } from '../src/torrent/piece-layers.js';
import { benc, dict, type Entries } from '../test/helpers/wild-torrent-builder.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20' } } });
const iterations = Number(values.iterations);

let seed = 1;
/** Deterministic pseudo-random bytes (hash values only need to look random). */
function bytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed >>> 16;
  }
  return out;
}

const KiB = 1024;

function v1Multi(files: number, pieceLength: number): Buffer {
  const list: Entries[] = [];
  let total = 0;
  for (let i = 0; i < files; i++) {
    const length = 1000 + ((i * 7919) % (300 * KiB));
    total += length;
    list.push(
      dict([
        ['length', length],
        ['path', [`folder${i % 100}`, `file-${i}.dat`]],
      ]),
    );
  }
  const info = dict([
    ['files', list],
    ['name', `v1-${files}-files`],
    ['piece length', pieceLength],
    ['pieces', bytes(Math.ceil(total / pieceLength) * 20)],
  ]);
  return benc(
    dict([
      ['announce', 'http://t.example/announce'],
      ['info', info],
    ]),
  );
}

function v1Single(pieces: number, pieceLength: number): Buffer {
  const info = dict([
    ['length', pieces * pieceLength - 123],
    ['name', 'big.bin'],
    ['piece length', pieceLength],
    ['pieces', bytes(pieces * 20)],
  ]);
  return benc(dict([['info', info]]));
}

/** One v2 file of `length` bytes: a random piece layer and the root it hashes to. */
function v2File(length: number, pieceLength: number): { root: Buffer; layer: Buffer } {
  const layer = bytes(Math.ceil(length / pieceLength) * 32);
  return { root: length > pieceLength ? layerRoot(layer, pieceLength) : bytes(32), layer };
}

function v2Single(pieces: number, pieceLength: number): Buffer {
  const length = pieces * pieceLength - 5;
  const { root, layer } = v2File(length, pieceLength);
  const tree = dict([
    [
      'big.bin',
      dict([
        [
          '',
          dict([
            ['length', length],
            ['pieces root', root],
          ]),
        ],
      ]),
    ],
  ]);
  const info = dict([
    ['file tree', tree],
    ['meta version', 2],
    ['name', 'big.bin'],
    ['piece length', pieceLength],
  ]);
  return benc(
    dict([
      ['info', info],
      ['piece layers', dict([[root, layer]])],
    ]),
  );
}

function hybrid(files: number, pieceLength: number): Buffer {
  const list: Entries[] = [];
  const tree = dict([]);
  const layers = dict([]);
  let total = 0;
  const names = Array.from({ length: files }, (_, i) => `file-${String(i).padStart(6, '0')}.dat`);
  names.forEach((name, i) => {
    const length = 1000 + ((i * 7919) % (200 * KiB));
    const { root, layer } = v2File(length, pieceLength);
    list.push(
      dict([
        ['length', length],
        ['path', [name]],
      ]),
    );
    tree.list.push([
      name,
      dict([
        [
          '',
          dict([
            ['length', length],
            ['pieces root', root],
          ]),
        ],
      ]),
    ]);
    if (length > pieceLength) layers.list.push([root, layer]);
    total += length;
    const gap = (pieceLength - (total % pieceLength)) % pieceLength;
    if (gap > 0 && i < files - 1) {
      list.push(
        dict([
          ['attr', 'p'],
          ['length', gap],
          ['path', ['.pad', String(gap)]],
        ]),
      );
      total += gap;
    }
  });
  const info = dict([
    ['file tree', tree],
    ['files', list],
    ['meta version', 2],
    ['name', `hybrid-${files}`],
    ['piece length', pieceLength],
    ['pieces', bytes(Math.ceil(total / pieceLength) * 20)],
  ]);
  return benc(
    dict([
      ['info', info],
      ['piece layers', layers.sorted()],
    ]),
  );
}

const cases: [string, Buffer][] = [
  ['v1, 10k files', v1Multi(10_000, 256 * KiB)],
  ['v1, 100k files', v1Multi(100_000, 1024 * KiB)],
  ['v1, 1 file, 200k pieces', v1Single(200_000, 16 * KiB)],
  ['v2, 1 file, 100k pieces + layer', v2Single(100_000, 16 * KiB)],
  ['hybrid, 10k files + layers', hybrid(10_000, 16 * KiB)],
];

const LT = `
import sys, time, json, libtorrent as lt
out = []
n = int(sys.argv[1])
for path in sys.argv[2:]:
    data = open(path, 'rb').read()
    lt.torrent_info(data)
    t = time.perf_counter()
    for _ in range(n):
        lt.torrent_info(data)
    out.append((time.perf_counter() - t) / n * 1000)
print(json.dumps(out))
`;

const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-parse-'));
try {
  const paths = cases.map(([, bytes], i) => {
    const p = join(dir, `${i}.torrent`);
    writeFileSync(p, bytes);
    return p;
  });
  let ltMs: number[];
  try {
    ltMs = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', LT, String(iterations), ...paths], { encoding: 'utf8' }),
    );
  } catch (err) {
    console.error(`bench: libtorrent (python3-libtorrent for /usr/bin/python3) is needed: ${String(err)}`);
    process.exit(1);
  }
  console.log(`parse time per torrent, mean of ${iterations} (after one warm-up), ours vs libtorrent 2.0.8`);
  console.log(
    `${'torrent'.padEnd(34)}${'size'.padStart(10)}${'ours ms'.padStart(10)}${'lt ms'.padStart(10)}  ratio`,
  );
  cases.forEach(([name, bytes], i) => {
    const meta = parseTorrent(bytes);
    const t = performance.now();
    for (let k = 0; k < iterations; k++) parseTorrent(bytes);
    const ours = (performance.now() - t) / iterations;
    const lt = ltMs[i]!;
    const size = `${(bytes.length / 1024 / 1024).toFixed(1)} MiB`;
    console.log(
      `${name.padEnd(34)}${size.padStart(10)}${ours.toFixed(2).padStart(10)}${lt.toFixed(2).padStart(10)}  ${(ours / lt).toFixed(2)}  (${meta.files.length} files, ${meta.pieceCount} pieces)`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
