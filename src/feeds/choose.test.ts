import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEnclosures } from './choose.js';
import type { Enclosure } from './types.js';

const mp3: Enclosure = {
  url: 'https://a.example/e.mp3',
  kind: 'http',
  source: 'enclosure',
  type: 'audio/mpeg',
  length: 500,
};
const torrent: Enclosure = {
  url: 'https://a.example/e.torrent',
  kind: 'torrent',
  source: 'alternateEnclosure',
  length: 500,
};
const magnet: Enclosure = {
  url: 'magnet:?xt=urn:btih:00&xl=700',
  kind: 'magnet',
  source: 'alternateEnclosure',
};

describe('chooseEnclosures', () => {
  it('prefers the swarm and keeps the HTTP file as the fallback', () => {
    const c = chooseEnclosures({ enclosures: [mp3, torrent, magnet] });
    assert.equal(c.prefer, 'swarm');
    assert.equal(c.media, mp3);
    assert.equal(c.torrent, torrent.url);
    assert.equal(c.magnet, magnet.url);
    assert.equal(c.length, 500);
  });
  it('falls back to HTTP when no swarm is offered', () => {
    assert.deepEqual(chooseEnclosures({ enclosures: [mp3] }), { prefer: 'http', media: mp3, length: 500 });
  });
  it('takes the promised length from an alternateEnclosure or from the magnet link', () => {
    assert.equal(chooseEnclosures({ enclosures: [torrent] }).length, 500);
    assert.equal(chooseEnclosures({ enclosures: [magnet] }).length, 700);
  });
  it('does not take a .torrent enclosure length as the media length', () => {
    const c = chooseEnclosures({ enclosures: [{ ...torrent, source: 'enclosure', length: 9000 }] });
    assert.equal(c.length, undefined);
    assert.equal(c.media, undefined);
  });
  it('picks the default rendition of a media group when there is no plain enclosure', () => {
    const low: Enclosure = {
      url: 'https://a.example/low.mp4',
      kind: 'http',
      source: 'media:content',
      group: 1,
    };
    const high: Enclosure = { ...low, url: 'https://a.example/high.mp4', isDefault: true };
    assert.equal(chooseEnclosures({ enclosures: [low, high] }).media, high);
  });
  it('says none when there is nothing to fetch', () => {
    assert.deepEqual(chooseEnclosures({ enclosures: [] }), { prefer: 'none' });
  });
});
