import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEvent, formatView } from './view.js';

describe('the live view', () => {
  it('shows feeds, downloads with progress and rates, seeding ratios and failing feeds, within the width', () => {
    const snapshot = {
      feeds: [
        { title: 'Good', error: null, nextPollAt: null },
        { title: 'Bad', error: 'aggregator: fetch failed: http://x/: HTTP 404', nextPollAt: null },
      ],
      downloads: [
        {
          title: 'Episode 12',
          via: 'swarm',
          done: 512 * 1024,
          total: 1024 * 1024,
          downloadRate: 2048,
          uploadRate: 1024,
          peers: 3,
        },
        {
          title: 'A very long episode title that goes on',
          via: 'http',
          done: 10,
          total: null,
          downloadRate: 0,
          uploadRate: 0,
          peers: 0,
        },
      ],
      seeding: [{ title: 'Episode 11', uploaded: 3000, ratio: 0.4242, uploadRate: 1536, peers: 2 }],
    };
    const lines = formatView(snapshot as Parameters<typeof formatView>[0], 120);
    assert.match(lines[0]!, /^feeds 2 \(1 failing\)\s+down 2\.0 KiB\/s\s+up 2\.5 KiB\/s/);
    assert.match(
      lines[1]!,
      /^↓ Episode 12 .*\[##########----------\] {2}50% {2}512\.0 KiB\/1\.0 MiB {2}2\.0 KiB\/s {2}swarm, 3 peers/,
    );
    assert.match(lines[2]!, /^↓ A very long episode tit… \[ size unknown \] {2}10 B\/\?/);
    assert.match(lines[3]!, /^↑ Episode 11 .*ratio 0\.42 {2}up 1\.5 KiB\/s {2}2 peers/);
    assert.match(lines[4]!, /^! Bad: aggregator: fetch failed/);
    for (const l of formatView(snapshot as Parameters<typeof formatView>[0], 60))
      assert.ok([...l].length <= 60, l);
  });

  it('events are single lines', () => {
    const record = {
      id: '1',
      feed: 'f',
      guid: 'g',
      title: 'T\nx',
      base: '/b',
      status: 'failed' as const,
      attempts: 1,
      queuedAt: '',
    };
    assert.equal(formatEvent({ type: 'failed', record, message: 'boom' }).includes('\n'), false);
  });
});
