import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binaryId, parseWsMessage } from './ws-parse.js';

const id = (c: string) => c.repeat(20);

describe('WebSocket tracker frames', () => {
  test('an announce with offers becomes a typed request; ids are latin1 bytes', () => {
    const m = parseWsMessage(
      JSON.stringify({
        action: 'announce',
        info_hash: '\u00ff'.repeat(20),
        peer_id: id('p'),
        numwant: 2,
        uploaded: 1,
        downloaded: 2,
        left: 3,
        event: 'started',
        offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: id('o') }],
      }),
    );
    assert.equal(m.kind, 'announce');
    if (m.kind !== 'announce') return;
    assert.deepEqual(m.infoHash, Buffer.alloc(20, 0xff));
    assert.equal(m.event, 'started');
    assert.equal(m.left, 3);
    assert.deepEqual(m.offers, [{ offerId: Buffer.from(id('o')), sdp: 'v=0' }]);
  });

  test('left null (size unknown) is a leecher; update is no event; stopped drops offers', () => {
    const base = { action: 'announce', info_hash: id('h'), peer_id: id('p') };
    const a = parseWsMessage(JSON.stringify({ ...base, left: null, event: 'update' }));
    assert.ok(a.kind === 'announce' && a.left === Number.POSITIVE_INFINITY && a.event === 'none');
    const offers = [{ offer: { type: 'offer', sdp: 'x' }, offer_id: id('o') }];
    const b = parseWsMessage(JSON.stringify({ ...base, left: 0, event: 'stopped', offers }));
    assert.ok(b.kind === 'announce' && b.offers.length === 0);
  });

  test('an answer names to_peer_id and offer_id', () => {
    const m = parseWsMessage(
      JSON.stringify({
        action: 'announce',
        info_hash: id('h'),
        peer_id: id('p'),
        to_peer_id: id('q'),
        offer_id: id('o'),
        answer: { type: 'answer', sdp: 'v=0' },
      }),
    );
    assert.deepEqual(m, {
      kind: 'answer',
      infoHash: Buffer.from(id('h')),
      peerId: Buffer.from(id('p')),
      toPeerId: Buffer.from(id('q')),
      offerId: Buffer.from(id('o')),
      sdp: 'v=0',
    });
  });

  test('a scrape takes one hash or a list', () => {
    assert.deepEqual(parseWsMessage(JSON.stringify({ action: 'scrape', info_hash: id('h') })), {
      kind: 'scrape',
      infoHashes: [Buffer.from(id('h'))],
    });
  });

  test('binary strings are exactly 20 code points below 256', () => {
    assert.ok(binaryId(id('a')));
    assert.equal(binaryId(id('a').slice(1)), null);
    assert.equal(binaryId(`${id('a').slice(1)}\u0100`), null);
    assert.equal(binaryId(20), null);
  });

  test('text that is not a JSON object is junk; bad fields are refusals that echo a valid info_hash', () => {
    assert.equal(parseWsMessage('nope').kind, 'junk');
    assert.equal(parseWsMessage('"announce"').kind, 'junk');
    assert.equal(parseWsMessage('null').kind, 'junk');
    const r = parseWsMessage(JSON.stringify({ action: 'announce', info_hash: id('h'), peer_id: 'x' }));
    assert.deepEqual(r, {
      kind: 'refusal',
      action: 'announce',
      reason: 'invalid peer_id (20 binary characters)',
      infoHash: Buffer.from(id('h')),
    });
  });
});
