import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item } from '../catalog/index.js';
import { ownTrackers } from './archive.js';
import { archiveLabel, archiveStatus } from './archive-status.js';

const item = (over: Partial<Item>) => ({ torrentOnly: true, archiveState: null, ...over }) as Item;

test('archive status: no peer is waiting, peers are archiving with the share of pieces, failures carry their reason', () => {
  const live = { pieces: 16, have: 7, downloaded: 0, peers: 0 };
  const waiting = archiveStatus(item({ archiveState: 'downloading' }), { progress: live });
  assert.deepEqual(waiting, { state: 'waiting', phase: 'downloading', progress: 0.437, peers: 0 });
  assert.equal(archiveLabel(waiting), 'waiting for peers');
  const archiving = archiveStatus(item({}), { progress: { ...live, peers: 2 } });
  assert.equal(archiveLabel(archiving), 'archiving 43%');
  const queued = archiveStatus(item({ archiveState: 'downloading' }), { queued: true });
  assert.deepEqual(queued, { state: 'waiting', phase: 'queued' });
  assert.equal(archiveLabel(queued), 'waiting for its turn');
  const failed = archiveStatus(item({ archiveState: 'failed', archiveError: 'ENOSPC', archiveAttempts: 2 }), {
    retryAt: Date.UTC(2030, 0, 1),
  });
  assert.deepEqual(failed, {
    state: 'failed',
    phase: 'failed',
    error: 'ENOSPC',
    attempts: 2,
    retryAt: '2030-01-01T00:00:00.000Z',
  });
  const gaveUp = archiveStatus(
    item({ archiveState: 'gave-up', archiveError: 'archive: no progress, gave up' }),
    {},
  );
  assert.equal(archiveLabel(gaveUp), 'failed: no progress, gave up');
});

test("archiving announces to the torrent's own trackers, without the site's and at most 12 URLs", () => {
  const site = 'http://site.example/announce';
  const many = Array.from({ length: 20 }, (_, i) => [`udp://t${i}.example:80`]);
  assert.deepEqual(ownTrackers([[site], ['http://a.example/announce', site]], site), [
    ['http://a.example/announce'],
  ]);
  assert.equal(ownTrackers(many, site).flat().length, 12);
});
