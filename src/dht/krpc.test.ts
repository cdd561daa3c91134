import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, isDict } from '../bencode/index.js';
import { compact, parseKrpc } from './krpc.js';

const ID = Buffer.alloc(20, 1);
const HASH = Buffer.alloc(20, 2);

function fields(message: Buffer): Map<string, unknown> {
  const m = decode(message);
  assert.ok(isDict(m));
  return m;
}

describe('parseKrpc', () => {
  it('passes the four BEP 5 queries, re-encoded with their fields only', () => {
    const q = parseKrpc(
      encode({ t: 'aa', y: 'q', q: 'get_peers', a: { id: ID, info_hash: HASH, extra: 'x' }, v: 'LT01' }),
    );
    assert.equal(q?.y, 'q');
    assert.ok(q?.y === 'q' && q.infoHash?.equals(HASH));
    const a = fields(q!.message).get('a') as Map<string, unknown>;
    assert.deepEqual([...a.keys()], ['id', 'info_hash']);
    assert.equal(fields(q!.message).has('v'), false);
  });

  it('reads a datagram whose keys are out of order (as libtorrent does), re-encoded canonical', () => {
    const ping = Buffer.from(`d1:y1:q1:t2:aa1:q4:ping1:ad2:id20:${ID.toString('latin1')}ee`, 'latin1');
    const q = parseKrpc(ping);
    assert.equal(q?.y, 'q');
    assert.deepEqual([...fields(q!.message).keys()], ['a', 'q', 't', 'y']);
  });

  it('drops queries with missing or mistyped fields, and methods outside BEP 5', () => {
    const bad = [
      { t: 'aa', y: 'q', q: 'ping', a: { id: 5 } },
      { t: 'aa', y: 'q', q: 'ping', a: { id: Buffer.alloc(19) } },
      { t: 'aa', y: 'q', q: 'find_node', a: { id: ID } },
      { t: 'aa', y: 'q', q: 'get_peers', a: { id: ID, info_hash: 7 } },
      { t: 'aa', y: 'q', q: 'announce_peer', a: { id: ID, info_hash: HASH, port: 1, token: 3 } },
      { t: 'aa', y: 'q', q: 'announce_peer', a: { id: ID, info_hash: HASH, port: 70000, token: 'tk' } },
      { t: 'aa', y: 'q', q: 'put', a: { id: ID, v: 'x', token: 'tk' } },
      { t: 5, y: 'q', q: 'ping', a: { id: ID } },
      { t: 'aa', y: 'z' },
      ['not', 'a', 'dict'],
    ];
    for (const m of bad) assert.equal(parseKrpc(encode(m as never)), undefined, JSON.stringify(m));
    assert.equal(parseKrpc(Buffer.from('d1:t2:aa1:y1:q1:q4:ping1:ad2:id20:')), undefined, 'truncated');
    assert.equal(parseKrpc(Buffer.alloc(3000, 0x64)), undefined, 'too large');
  });

  it('keeps compact nodes and peers the policy allows, drops the rest and IPv6 forms', () => {
    const node = (host: string, port: number) => Buffer.concat([ID, compact({ host, port })]);
    const r = parseKrpc(
      encode({
        t: 'aa',
        y: 'r',
        ip: compact({ host: '203.0.113.5', port: 6881 }),
        r: {
          id: ID,
          nodes: Buffer.concat([node('198.51.100.7', 6881), node('10.0.0.1', 6881), node('198.51.100.8', 0)]),
          values: [
            compact({ host: '198.51.100.9', port: 51413 }),
            compact({ host: '192.168.1.2', port: 1 }),
            Buffer.alloc(18),
          ],
          token: 'tok',
          nodes6: Buffer.alloc(38),
        },
      }),
      (a) => !a.host.startsWith('10.') && !a.host.startsWith('192.168.'),
    );
    assert.ok(r?.y === 'r');
    assert.deepEqual(r.ip, { host: '203.0.113.5', port: 6881 });
    const body = fields(r.message).get('r') as Map<string, Uint8Array | Uint8Array[]>;
    assert.equal((body.get('nodes') as Uint8Array).length, 26);
    assert.equal((body.get('values') as Uint8Array[]).length, 1);
    assert.equal(body.has('nodes6'), false);
  });

  it('responses need a 20-byte id; errors are normalised', () => {
    assert.equal(parseKrpc(encode({ t: 'aa', y: 'r', r: { id: 1 } })), undefined);
    assert.equal(parseKrpc(encode({ t: 'aa', y: 'r', r: 1 })), undefined);
    const e = parseKrpc(encode({ t: 'aa', y: 'e', e: 'oops' }));
    assert.equal(e?.y, 'e');
    assert.deepEqual((fields(e!.message).get('e') as unknown[])[0], 201);
  });
});
