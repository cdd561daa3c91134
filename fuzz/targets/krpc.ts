/**
 * KRPC datagrams (BEP 5) as the DHT socket receives them: `parseKrpc` with a policy that refuses
 * 10.0.0.0/8. Contract: undefined (dropped) or a message whose re-encoded form is canonical bencode
 * of at most the datagram limit, parses again to the same thing (idempotent), and names no node or
 * peer the policy refuses.
 */

import assert from 'node:assert/strict';
import { decode } from '../../src/bencode/index.js';
import { type Address, MAX_DATAGRAM, parseKrpc } from '../../src/dht/index.js';
import type { FuzzTarget } from '../engine/target.js';

const keep = (a: Address) => !a.host.startsWith('10.');

export const target: FuzzTarget = {
  description: 'parseKrpc: DHT queries, responses, errors; re-encoding idempotent',
  cover: ['/src/dht/krpc', '/src/bencode/'],
  maxLen: MAX_DATAGRAM + 64,
  dictionary: [
    'd1:ad2:id20:',
    '1:q4:ping',
    '1:q9:find_node',
    '1:q9:get_peers',
    '1:q13:announce_peer',
    '6:target20:',
    '9:info_hash20:',
    '5:token',
    '4:porti',
    '12:implied_porti1e',
    '1:rd2:id20:',
    '5:nodes',
    '6:values',
    '2:ip6:',
    '1:t2:aa',
    '1:y1:q',
    '1:y1:r',
    '1:y1:e',
    '1:eli201e',
    'aaaaaaaaaaaaaaaaaaaa',
    '\x0a\x00\x00\x01\x1a\xe1',
    'e',
  ],
  make: () => (data) => {
    const msg = parseKrpc(data, keep);
    if (!msg) return;
    assert.ok(msg.message.length <= MAX_DATAGRAM + 64, 'bounded');
    const again = parseKrpc(msg.message, keep);
    assert.ok(again, 're-encoded message parses');
    assert.ok(again.message.equals(msg.message), 'idempotent');
    assert.ok(decode(msg.message), 'canonical');
    if (msg.y === 'r') {
      const r = (decode(msg.message) as Map<string, unknown>).get('r') as Map<string, unknown>;
      const nodes = r.get('nodes') as Uint8Array | undefined;
      for (let i = 0; nodes && i < nodes.length; i += 26)
        assert.notEqual(nodes[i + 20], 10, 'refused node kept');
      for (const v of (r.get('values') as Uint8Array[] | undefined) ?? [])
        assert.notEqual(v[0], 10, 'refused peer kept');
    }
  },
};
