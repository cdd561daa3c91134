/**
 * The peer wire protocol from the bytes a peer sends (BEP 3, 6, 10): a handshake, then messages cut
 * by the streaming framer from chunks of sizes the input chooses, each checked by the protocol rules
 * and re-encoded (a well-formed frame of its own length). Extended messages go through `decodeExtended`:
 * the extended handshake, ut_metadata (BEP 9) and ut_pex (BEP 11). Contract: messages or a
 * SeedcastError; the framer never returns a message that breaks its limits.
 */

import assert from 'node:assert/strict';
import {
  ChunkQueue,
  decodeExtended,
  encodeMessage,
  MessageFramer,
  parseHandshake,
  parseReserved,
} from '../../src/wire/index.js';
import { ProtocolRules, pieceGeometry } from '../../src/wire/rules.js';
import type { FuzzTarget } from '../engine/target.js';

export const target: FuzzTarget = {
  description: 'handshake, framer, rules, message round trip, extended messages',
  cover: ['/src/wire/', '/src/bencode/'],
  maxLen: 8192,
  dictionary: [
    '\x13BitTorrent protocol',
    '\x00\x00\x00\x00',
    '\x00\x00\x00\x01',
    '\x00\x00\x00\x05',
    '\x00\x00\x00\x0d',
    '\x00\x00\x40\x00',
    '\x14\x00',
    '\x14\x01',
    '\x14\x02',
    'd1:md11:ut_metadatai1e6:ut_pexi2eee',
    'd8:msg_typei0e5:piecei0ee',
    'd8:msg_typei1e5:piecei0e10:total_sizei16384ee',
    '13:metadata_sizei',
    '5:added',
    '7:added.f',
    '7:dropped',
    '6:added6',
    '1:v',
    '4:reqq',
    '6:yourip',
    '1:p',
  ],
  make: () => (data) => {
    // Byte 0: chunk size seed and options; then an optional 68-byte handshake; then messages.
    const flags = data[0] ?? 0;
    let rest = data.subarray(1);
    let fast = (flags & 1) === 1;
    if (flags & 2 && rest.length >= 68) {
      const hs = parseHandshake(rest.subarray(0, 68));
      fast = parseReserved(hs.reserved).fast;
      rest = rest.subarray(68);
    }
    const geometry = flags & 4 ? pieceGeometry(5 * 16384 + 100, 16384) : undefined;
    const rules = new ProtocolRules({ fast, extended: true, dht: false }, geometry ? { geometry } : {});
    const queue = new ChunkQueue();
    const framer = new MessageFramer(queue, { maxMessageLength: 4096 });
    const step = 1 + (flags >> 3);
    for (let at = 0; at < rest.length; at += step) {
      queue.push(rest.subarray(at, at + step));
      for (let m = framer.next(); m !== null; m = framer.next()) {
        if (m.type === 'piece') assert.ok(m.block.length <= 16384, 'piece block over the limit');
        if (m.type === 'bitfield' || m.type === 'extended' || m.type === 'unknown') {
          assert.ok((m.type === 'bitfield' ? m.bitfield : m.payload).length < 4096, 'message over the limit');
        }
        rules.check(m);
        if (m.type !== 'unknown') {
          const bytes = encodeMessage(m);
          assert.equal(bytes.readUInt32BE(0) + 4, bytes.length, 're-encoded length');
        }
        if (m.type === 'extended') {
          const ext = decodeExtended(m.id % 3, m.payload, { maxMetadataSize: 1 << 20 });
          if (ext.type === 'pex') {
            for (const p of ext.pex.added) assert.ok(p.port >= 0 && p.port <= 65535);
          }
        }
      }
    }
  },
};
