import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SiteLinks } from './links.js';

describe('the site links', () => {
  test('trackers are HTTP, UDP (the listening port) and WebSocket, in that order', () => {
    const links = new SiteLinks('https://media.example.org');
    assert.deepEqual(links.trackers(), [
      'https://media.example.org/announce',
      'wss://media.example.org/announce',
    ]);
    links.setUdpPort(8080);
    assert.deepEqual(links.trackers(), [
      'https://media.example.org/announce',
      'udp://media.example.org:8080',
      'wss://media.example.org/announce',
    ]);
  });

  test('without a UDP port set, the public URL names it', () => {
    const links = new SiteLinks('http://127.0.0.1:9000');
    assert.deepEqual(links.trackers(), [
      'http://127.0.0.1:9000/announce',
      'udp://127.0.0.1:9000',
      'ws://127.0.0.1:9000/announce',
    ]);
  });

  test('magnets list every tracker as tr=', () => {
    const links = new SiteLinks('http://[::1]:9000');
    const magnet = links.magnet({
      id: 1,
      infoHash: 'aa'.repeat(20),
      infoHashV2: null,
      totalLength: 5,
      torrentKey: null,
      files: [{ path: 'a.mp4', blobKey: 'k' }],
    });
    const tr = new URLSearchParams(magnet!.slice('magnet:?'.length)).getAll('tr');
    assert.deepEqual(tr, ['http://[::1]:9000/announce', 'udp://[::1]:9000', 'ws://[::1]:9000/announce']);
  });
});
