/**
 * Writes the seed corpus of each fuzz target into fuzz/corpus/<target>/ (run once; the files are
 * committed): small valid inputs of every kind a target reads, so the fuzzer starts from inside each
 * format rather than from nothing. `node --import tsx fuzz/make-seeds.ts`
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../src/bencode/index.js';
import { createTorrent } from '../src/torrent/index.js';
import {
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePex,
} from '../src/wire/index.js';
import { allWildTorrents } from '../test/helpers/wild-torrents.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

function put(target: string, name: string, data: Buffer | string): void {
  mkdirSync(join(ROOT, target), { recursive: true });
  writeFileSync(join(ROOT, target, name), typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
}
const mode = (m: number, s: string | Buffer) =>
  Buffer.concat([Buffer.from([m]), Buffer.from(s as string, 'latin1')]);
const hash = (b: number) => Buffer.alloc(20, b);
const pct = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

// bencode
put(
  'bencode',
  'torrent',
  'd4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
);
put('bencode', 'list', 'li1ei-2e3:abcledei0ee');
put(
  'bencode',
  'nested',
  encode(
    new Map<string, unknown>([
      ['a', [[1n, 2n], new Map([['b', Buffer.from('c')]])]],
      ['z', 0n],
    ]) as never,
  ),
);

// metainfo and bencode: the wild torrents of issue 21 (what libtorrent loads and what it refuses)
for (const w of allWildTorrents()) {
  put('metainfo', `wild-${w.name}`, w.torrent);
  put('bencode', `wild-${w.name}`, w.torrent);
}

// metainfo: v1 single file, v1/v2/hybrid folders with padding
const dir = mkdtempSync(join(tmpdir(), 'seedcast-seeds-'));
try {
  writeFileSync(join(dir, 'one.bin'), Buffer.alloc(40_000, 7));
  mkdirSync(join(dir, 'folder', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'folder', 'a.txt'), 'hello');
  writeFileSync(join(dir, 'folder', 'sub', 'b.bin'), Buffer.alloc(20_000, 1));
  writeFileSync(join(dir, 'folder', 'empty'), '');
  const common = {
    pieceLength: 16384,
    creationDate: null,
    announce: ['http://t.example/announce', ['udp://u.example:80']],
    urlList: ['https://w.example/'],
  };
  for (const version of ['v1', 'v2', 'hybrid'] as const) {
    put(
      'metainfo',
      `${version}-single`,
      (await createTorrent(join(dir, 'one.bin'), { ...common, version })).torrent,
    );
    put(
      'metainfo',
      `${version}-folder`,
      (await createTorrent(join(dir, 'folder'), { ...common, version, comment: 'c', private: true })).torrent,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// magnet (byte 0 mod 3: 0 UTF-8, 1 Latin-1, 2 UTF-16)
put(
  'magnet',
  'utf16-v1',
  Buffer.concat([
    Buffer.from([2]),
    Buffer.from(`magnet:?xt=urn:btih:${'ef'.repeat(20)}&dn=n\u00e9&tr=udp://t:1`, 'utf16le'),
  ]),
);
put('magnet', 'latin1-v1', mode(1, `magnet:?xt=urn:btih:${'12'.repeat(20)}&dn=caf\u00e9+bar`));
put(
  'magnet',
  'v1',
  mode(0, `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=A%20name&tr=http%3A%2F%2Ft.example%2Fa&xl=123`),
);
put(
  'magnet',
  'v2',
  mode(0, `magnet:?xt=urn:btmh:1220${'cd'.repeat(32)}&ws=https%3A%2F%2Fw.example%2F&x.pe=1.2.3.4:5`),
);
put(
  'magnet',
  'hybrid-base32',
  mode(0, `magnet:?xt=urn:btih:${'A'.repeat(32)}&xt=urn:btmh:1220${'0'.repeat(64)}&tr.1=udp%3A%2F%2Fu%3A1`),
);

// wire: byte 0 = flags (1 fast, 2 handshake first, 4 geometry, rest chunk size)
const msgs = Buffer.concat([
  encodeMessage({ type: 'bitfield', bitfield: Buffer.from([0xf8]) }),
  encodeMessage({ type: 'have', index: 3 }),
  encodeMessage({ type: 'request', index: 1, begin: 0, length: 16384 }),
  encodeMessage({ type: 'piece', index: 4, begin: 0, block: Buffer.alloc(100, 9) }),
  encodeMessage({ type: 'cancel', index: 1, begin: 0, length: 16384 }),
  encodeMessage({ type: 'port', port: 6881 }),
  encodeMessage({ type: 'unchoke' }),
  encodeMessage({ type: 'keepAlive' }),
]);
const fastMsgs = Buffer.concat([
  encodeMessage({ type: 'haveAll' }),
  encodeMessage({ type: 'suggest', index: 2 }),
  encodeMessage({ type: 'reject', index: 1, begin: 0, length: 16384 }),
  encodeMessage({ type: 'allowedFast', index: 0 }),
]);
const ext = (id: number, payload: Buffer) => encodeMessage({ type: 'extended', id, payload });
const extMsgs = Buffer.concat([
  ext(
    0,
    encodeExtendedHandshake({
      m: new Map([
        ['ut_metadata', 1],
        ['ut_pex', 2],
      ]),
      metadataSize: 30000,
      p: 6881,
      v: 'seed',
      reqq: 250,
      yourip: Buffer.from([127, 0, 0, 1]),
    }),
  ),
  ext(1, encodeMetadataMessage({ kind: 'request', piece: 0 })),
  ext(1, encodeMetadataMessage({ kind: 'data', piece: 1, totalSize: 20000, data: Buffer.alloc(20, 3) })),
  ext(1, encodeMetadataMessage({ kind: 'reject', piece: 0 })),
  ext(
    2,
    encodePex({
      added: [
        { host: '10.0.0.1', port: 6881, flags: 2 },
        { host: '2001:db8::1', port: 1, flags: 0 },
      ],
      dropped: [{ host: '10.0.0.2', port: 2 }],
    }),
  ),
]);
const hs = encodeHandshake(hash(1), Buffer.from('-SC0001-aaaaaaaaaaaa'), {
  extensions: { extended: true, fast: true, dht: true },
});
put('wire', 'handshake-all', Buffer.concat([Buffer.from([2 | 4 | (7 << 3)]), hs, msgs, fastMsgs, extMsgs]));
put('wire', 'plain', Buffer.concat([Buffer.from([4]), msgs]));
put('wire', 'fast', Buffer.concat([Buffer.from([1 | (200 & 0xf8)]), fastMsgs]));
put('wire', 'extended', Buffer.concat([Buffer.from([0xf8]), extMsgs]));
// BEP 52 hash messages (issue 21): a request, an answer of 4 hashes + 2 uncles, a reject.
const hashRun = { piecesRoot: Buffer.alloc(32, 5), baseLayer: 1, index: 4, length: 4, proofLayers: 3 };
const hashMsgs = Buffer.concat([
  encodeMessage({ type: 'hashRequest', ...hashRun }),
  encodeMessage({ type: 'hashes', ...hashRun, hashes: Buffer.alloc(128, 1), uncles: Buffer.alloc(64, 2) }),
  encodeMessage({ type: 'hashReject', ...hashRun }),
]);
put('wire', 'hashes', Buffer.concat([Buffer.from([4]), hashMsgs]));

// tracker-http: byte 0 = 0 head, 1 announce (5: over IPv6), 2 scrape
const q = `info_hash=${pct(hash(3))}&peer_id=-SC0001-aaaaaaaaaaaa&port=6881&uploaded=0&downloaded=0&left=100&event=started&compact=1&numwant=50&key=abcd`;
put(
  'tracker-http',
  'head',
  mode(0, `GET /announce?${q} HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\nUser-Agent: x`),
);
put('tracker-http', 'announce', mode(1, q));
put(
  'tracker-http',
  'announce-v6',
  mode(4, `${q.replace('event=started', 'event=stopped')}&no_peer_id=1&ipv6=2001:db8::1`),
);
put('tracker-http', 'scrape', mode(2, `info_hash=${pct(hash(3))}&info_hash=${pct(hash(4))}`));

// tracker-udp
const udp = (action: number, body: Buffer, cid = Buffer.from('0000041727101980', 'hex')) => {
  const h = Buffer.alloc(16);
  cid.copy(h, 0);
  h.writeUInt32BE(action, 8);
  h.writeUInt32BE(0x1234, 12);
  return Buffer.concat([h, body]);
};
put('tracker-udp', 'connect', udp(0, Buffer.alloc(0)));
const ann = Buffer.alloc(82);
hash(5).copy(ann, 0);
Buffer.from('-SC0001-aaaaaaaaaaaa').copy(ann, 20);
ann.writeUInt32BE(100, 60); // left (low word)
ann.writeUInt32BE(2, 64); // event started
ann.writeInt32BE(-1, 76); // numwant
ann.writeUInt16BE(6881, 80);
put('tracker-udp', 'announce', udp(1, ann, Buffer.alloc(8, 0x11)));
put(
  'tracker-udp',
  'announce-urldata',
  udp(
    1,
    Buffer.concat([ann, Buffer.from([2, 9]), Buffer.from('/announce'), Buffer.from([1, 0])]),
    Buffer.alloc(8, 0x11),
  ),
);
put('tracker-udp', 'scrape', udp(2, Buffer.concat([hash(5), hash(6)]), Buffer.alloc(8, 0x11)));

// feeds: the parser's own test corpus
const feedCorpus = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'feeds', 'corpus');
for (const f of readdirSync(feedCorpus))
  if (!f.endsWith('.expected.json')) put('feeds', f, readFileSync(join(feedCorpus, f)));

// opml
put(
  'opml',
  'two',
  '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body><outline text="News"><outline type="rss" text="A" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/></outline><outline type="rss" text="B &amp; C" xmlUrl="http://b.example/rss?x=1&amp;y=2"/></body></opml>',
);
put(
  'opml',
  'v1',
  '<opml version="1.0"><body><outline title="X" xmlurl="https://x.example/x.xml"/></body></opml>',
);

// tus: byte 0 even = Upload-Metadata, odd = Upload-Checksum
put(
  'tus',
  'metadata',
  mode(0, `filename ${Buffer.from('My film.webm').toString('base64')},filetype dmlkZW8vd2VibQ==,empty`),
);
put('tus', 'checksum-sha1', mode(1, `sha1 ${Buffer.alloc(20, 1).toString('base64')}`));
put('tus', 'checksum-sha256', mode(1, ` SHA256 ${Buffer.alloc(32, 2).toString('base64')} `));

// range: 6 bytes of size, then the header
const size = (n: number) => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
};
put('range', 'first', Buffer.concat([size(100_000), Buffer.from('bytes=0-499')]));
put('range', 'suffix', Buffer.concat([size(100_000), Buffer.from('bytes=-500')]));
put('range', 'open', Buffer.concat([size(2 ** 40), Buffer.from(' Bytes = 1000 - ')]));
put('range', 'multi', Buffer.concat([size(1000), Buffer.from('bytes=0-1,5-9')]));
// native harnesses (fuzz/native/): the datagram fast path and the swarm store
const NATIVE = join(dirname(fileURLToPath(import.meta.url)), 'native', 'corpus');
const native = (harness: string, name: string, data: Buffer) => {
  mkdirSync(join(NATIVE, harness), { recursive: true });
  writeFileSync(join(NATIVE, harness, name), data);
};
// flags (2: remember the connection id; 1: IPv6), answer room 20 + 8 * byte, port
native(
  'fast_path',
  'announce-v4',
  Buffer.concat([Buffer.from([2, 200, 0x1a, 0xe1]), udp(1, ann, Buffer.alloc(8, 0x11))]),
);
native(
  'fast_path',
  'announce-v6-allow',
  Buffer.concat([Buffer.from([1 | 2 | 4, 255, 0, 80]), udp(1, ann, Buffer.alloc(8, 0x22))]),
);
native(
  'fast_path',
  'announce-options',
  Buffer.concat([
    Buffer.from([2, 20, 1, 1]),
    udp(1, Buffer.concat([ann, Buffer.from([1, 2, 3, 0x61, 0x62, 0x63, 0])]), Buffer.alloc(8, 0x33)),
  ]),
);
native('fast_path', 'connect', Buffer.concat([Buffer.from([0, 10, 0, 1]), udp(0, Buffer.alloc(0))]));
// byte 0 bit 0: checked against the model; limits and TTL; then announces (opcode 0-4 + 6 bytes),
// counts (5 + hash), sweep (6), totals (7; with bit 3, clear)
const op = (
  code: number,
  hash: number,
  fam: number,
  peer: number,
  ip: number,
  key: number,
  event: number,
  seeder: number,
  numwant: number,
  dt: number,
) =>
  Buffer.from([
    code,
    hash | (fam << 3),
    peer | (ip << 4) | (key << 6),
    event | (seeder << 2),
    numwant,
    dt,
    0,
  ]);
const story = Buffer.concat([
  op(0, 1, 0, 1, 0, 0, 1, 0, 10, 1),
  op(0, 1, 0, 2, 1, 1, 1, 1, 10, 1),
  op(3, 1, 1, 3, 2, 0, 0, 0, 20, 5),
  op(0, 1, 0, 1, 0, 0, 2, 1, 10, 1),
  op(0, 2, 1, 4, 0, 2, 1, 0, 5, 50),
  op(0, 1, 0, 2, 3, 1, 3, 0, 0, 1),
  Buffer.from([5, 1, 7, 6]),
  op(0, 1, 0, 5, 0, 0, 0, 0, 63, 255),
  Buffer.from([6, 5, 1, 15, 7]),
]);
native('store', 'modelled', Buffer.concat([Buffer.from([1, 0, 0, 0, 100]), story]));
native('store', 'tiny-limits', Buffer.concat([Buffer.from([0, 1, 2, 3, 30]), story, story]));
console.log(`seeds written under ${ROOT} and ${NATIVE}`);
