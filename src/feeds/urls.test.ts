import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enclosureKind, resolveHttpUrl, resolveUrl } from './urls.js';

describe('feed URLs', () => {
  it('resolves relative references and normalises what the URL parser would', () => {
    const base = 'https://ex.example/shows/feed.xml';
    const cases: Array<[string, string]> = [
      ['ep1.mp3', 'https://ex.example/shows/ep1.mp3'],
      ['/a b.mp3', 'https://ex.example/a%20b.mp3'],
      ['//cdn.example/x', 'https://cdn.example/x'],
      ['https://EX.example/a', 'https://ex.example/a'],
      ['https://ex.example', 'https://ex.example/'],
      ['https://ex.example:443/a', 'https://ex.example/a'],
      ['https://ex.example/a/../b/./c', 'https://ex.example/b/c'],
      ['https://ex.example/%2e%2e/x', 'https://ex.example/x'],
      ['https://ex.example/été', 'https://ex.example/%C3%A9t%C3%A9'],
      ["https://ex.example/p?q='x'", 'https://ex.example/p?q=%27x%27'],
      ['https://ex.example/p?a=1&b=%41#frag', 'https://ex.example/p?a=1&b=%41#frag'],
      ['  https://ex.example/trim  ', 'https://ex.example/trim'],
      ['https://0x7f.1/a', 'https://127.0.0.1/a'],
      ['https://127.1/a', 'https://127.0.0.1/a'],
      ['https://192.168.0.1/a', 'https://192.168.0.1/a'],
      ['http://localhost/a', 'http://localhost/a'],
    ];
    for (const [ref, want] of cases) {
      assert.equal(resolveUrl(ref, base), want, ref);
      assert.equal(resolveUrl(ref, base), new URL(ref.trim(), base).href, `${ref}: same as the URL parser`);
    }
  });
  it('gives what the URL parser gives for random absolute URLs (the fast path is exact)', () => {
    const parts = [
      'https://',
      'http://',
      'a',
      'Z',
      '0',
      '9',
      '.',
      '-',
      '/',
      '%',
      '%2e',
      '%41',
      '?',
      '#',
      '&',
      "'",
      ' ',
      ':',
      ':80',
      '@',
      'é',
      '..',
      '0x',
      'x',
      '~',
      '|',
      '\\',
    ];
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let k = 0; k < 20_000; k++) {
      let s = parts[next() % 2]!;
      const n = 1 + (next() % 14);
      for (let j = 0; j < n; j++) s += parts[2 + (next() % (parts.length - 2))]!;
      let want: string | undefined;
      try {
        want = new URL(s.trim(), 'https://base.example/').href;
      } catch {
        want = undefined;
      }
      assert.equal(resolveUrl(s, 'https://base.example/'), want, s);
    }
  });

  it('keeps magnet links as written and refuses what cannot be parsed', () => {
    assert.equal(resolveUrl('MAGNET:?xt=urn:btih:ab&dn=a b', undefined), 'magnet:?xt=urn:btih:ab&dn=a b');
    assert.equal(resolveUrl('', 'https://ex.example/'), undefined);
    assert.equal(resolveUrl('relative', undefined), undefined);
    assert.equal(resolveHttpUrl('javascript:alert(1)', 'https://ex.example/'), undefined);
  });
  it('tells a .torrent, a magnet link and an HTTP file apart', () => {
    assert.equal(enclosureKind('https://a.example/x.torrent', undefined), 'torrent');
    assert.equal(enclosureKind('https://a.example/X.TORRENT?dl=1#t', undefined), 'torrent');
    assert.equal(
      enclosureKind('https://a.example/get?id=1', 'application/x-bittorrent; charset=binary'),
      'torrent',
    );
    assert.equal(enclosureKind('https://a.example/get?f=x.torrent', undefined), 'http');
    assert.equal(enclosureKind('magnet:?xt=urn:btih:ab', undefined), 'magnet');
    assert.equal(enclosureKind('magnet:nothing', undefined), undefined);
    assert.equal(enclosureKind('ipfs://Qm', undefined), undefined);
    assert.equal(enclosureKind('https://a.example/a.mp3', 'audio/mpeg'), 'http');
  });
});
