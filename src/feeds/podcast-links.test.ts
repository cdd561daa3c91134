import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeed } from './parse.js';

const URL_ = 'https://pod.example/feed.xml';

describe('podcast:chapters and podcast:transcript', () => {
  it('reads them on Atom entries too, matched by namespace URI', () => {
    const doc = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="https://podcastindex.org/namespace/1.0">
      <title>A</title><id>urn:a</id>
      <entry><id>urn:e1</id><title>E</title>
        <link rel="enclosure" href="https://pod.example/e1.mp3" type="audio/mpeg"/>
        <p:chapters url="/c/e1.json"/>
        <p:transcript url="/t/e1.vtt" type="text/vtt" language="de"/>
      </entry></feed>`;
    const [item] = parseFeed(doc, { url: URL_ }).items;
    assert.deepEqual(item!.chapters, {
      url: 'https://pod.example/c/e1.json',
      type: 'application/json+chapters',
    });
    assert.deepEqual(item!.transcripts, [
      { url: 'https://pod.example/t/e1.vtt', type: 'text/vtt', language: 'de' },
    ]);
  });

  it('ignores the elements in another namespace, and keeps at most 20 transcripts', () => {
    const many = Array.from(
      { length: 50 },
      (_, i) => `<podcast:transcript url="/t/${i}.vtt" type="text/vtt"/>`,
    ).join('');
    const doc = `<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:x="urn:x"><channel><title>R</title>
      <item><guid>1</guid><enclosure url="https://pod.example/1.mp3" type="audio/mpeg"/>
        <x:chapters url="https://evil.example/c.json"/>${many}</item></channel></rss>`;
    const [item] = parseFeed(doc, { url: URL_ }).items;
    assert.equal(item!.chapters, undefined);
    assert.equal(item!.transcripts?.length, 20);
    assert.equal(item!.transcripts?.[19]?.url, 'https://pod.example/t/19.vtt');
  });
});
