import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { encodePex, PexFlags, parsePex } from './pex.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('peer exchange', () => {
  it('writes IPv4 and IPv6 peers into their compact lists with one flag byte each', () => {
    const payload = encodePex({
      added: [
        { host: '10.1.2.3', port: 6881, flags: PexFlags.seed | PexFlags.reachable },
        { host: '2001:db8::1', port: 51413, flags: PexFlags.utp },
      ],
      dropped: [{ host: '192.168.0.9', port: 1 }],
    });
    const expected = Buffer.concat([
      Buffer.from('d5:added6:'),
      Buffer.from([10, 1, 2, 3, 0x1a, 0xe1]),
      Buffer.from('7:added.f1:'),
      Buffer.from([0x12]),
      Buffer.from('6:added618:'),
      Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xc8, 0xd5]),
      Buffer.from('8:added6.f1:'),
      Buffer.from([0x04]),
      Buffer.from('7:dropped6:'),
      Buffer.from([192, 168, 0, 9, 0, 1]),
      Buffer.from('8:dropped60:e'),
    ]);
    assert.deepEqual(payload, expected);
    assert.deepEqual(parsePex(payload), {
      added: [
        { host: '10.1.2.3', port: 6881, flags: 0x12 },
        { host: '2001:db8::1', port: 51413, flags: 0x04 },
      ],
      dropped: [{ host: '192.168.0.9', port: 1 }],
    });
  });

  it('reads missing flags as 0 and missing lists as empty', () => {
    const parsed = parsePex(encode({ added: Buffer.from([1, 2, 3, 4, 0, 80]) }));
    assert.deepEqual(parsed, { added: [{ host: '1.2.3.4', port: 80, flags: 0 }], dropped: [] });
  });

  it('keeps at most maxPeers per list', () => {
    const added = Buffer.alloc(6 * 300, 7);
    assert.equal(parsePex(encode({ added }), { maxPeers: 50 }).added.length, 50);
  });

  it('rejects lists of the wrong length or type, and payloads that are not a dictionary', () => {
    for (const payload of [
      encode({ added: Buffer.alloc(7) }),
      encode({ added6: Buffer.alloc(17) }),
      encode({ dropped: 5 }),
      encode([1]),
      Buffer.from('d5:added'),
    ]) {
      assert.throws(() => parsePex(payload), code('WIRE_MALFORMED'));
    }
  });
});
