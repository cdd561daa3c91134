import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLsdConfig } from './config.js';

describe('local service discovery settings', () => {
  it('is on by default; --no-lsd wins over SEEDCAST_LSD', () => {
    assert.deepEqual(readLsdConfig({}, {}), {});
    assert.deepEqual(readLsdConfig({}, { SEEDCAST_LSD: 'on' }), {});
    assert.equal(readLsdConfig({}, { SEEDCAST_LSD: 'off' }), false);
    assert.equal(readLsdConfig({}, { SEEDCAST_LSD: '0' }), false);
    assert.equal(readLsdConfig({ noLsd: true }, { SEEDCAST_LSD: 'on' }), false);
    assert.equal(readLsdConfig({ noLsd: true }, { SEEDCAST_LSD: '239.1.2.3:7000' }), false);
  });

  it('takes another IPv4 multicast group as ADDRESS:PORT', () => {
    assert.deepEqual(readLsdConfig({}, { SEEDCAST_LSD: '239.255.80.1:7000' }), {
      address: '239.255.80.1',
      port: 7000,
    });
  });

  it('refuses anything else with a usage error', () => {
    for (const v of [
      'maybe',
      '10.0.0.1:6771',
      '239.1.2.3:0',
      '239.1.2.3:70000',
      '240.0.0.1:6771',
      '239.1.2:6771',
    ])
      assert.throws(() => readLsdConfig({}, { SEEDCAST_LSD: v }), { code: 'USAGE' }, v);
  });
});
