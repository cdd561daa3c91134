import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeed } from '../feeds/index.js';
import { recordFor } from './items.js';
import { DEFAULT_FEED_OPTIONS, emptyState, type FeedState } from './state.js';

const FEED: FeedState = {
  url: 'https://pod.example/feed.xml',
  title: 'Pod',
  options: { ...DEFAULT_FEED_OPTIONS },
  addedAt: '2026-01-01T00:00:00Z',
  errors: 0,
  initialized: true,
  seen: [],
};

describe('recordFor', () => {
  it('carries the podcast:chapters and podcast:transcript links into the record', () => {
    const doc = `<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Pod</title>
      <item><guid>1</guid><title>One</title><enclosure url="https://pod.example/1.mp3" type="audio/mpeg"/>
        <podcast:chapters url="/1.chapters.json" type="application/json+chapters"/>
        <podcast:transcript url="/1.en.vtt" type="text/vtt" language="en" rel="captions"/>
        <podcast:transcript url="/1.txt" type="text/plain"/></item>
      <item><guid>2</guid><title>Two</title><enclosure url="https://pod.example/2.mp3" type="audio/mpeg"/></item>
      </channel></rss>`;
    const [one, two] = parseFeed(doc, { url: FEED.url }).items;
    const state = emptyState();
    const a = recordFor(state, one!, { home: '/tmp/h', feed: FEED });
    assert.equal(a?.chapters, 'https://pod.example/1.chapters.json');
    assert.deepEqual(a?.transcripts, [
      { url: 'https://pod.example/1.en.vtt', type: 'text/vtt', language: 'en', rel: 'captions' },
      { url: 'https://pod.example/1.txt', type: 'text/plain' },
    ]);
    const b = recordFor(state, two!, { home: '/tmp/h', feed: FEED });
    assert.equal(b?.chapters, undefined);
    assert.equal(b?.transcripts, undefined);
  });
});
