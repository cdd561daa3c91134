/**
 * Super-seeding ends when the session stops being complete (BEP 16, `session-super-seed.ts`): a
 * piece found damaged when first served (trusted start) takes the session out of super-seeding, and
 * a peer that was told only its revealed pieces is then told every piece the session still holds,
 * and never again the damaged one. Over a real loopback socket, with a scripted peer.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectFakePeer } from '../../test/helpers/fake-peer.js';
import { createTorrent, type Metainfo, parseTorrent } from '../torrent/index.js';
import type { PeerMessage } from '../wire/index.js';
import { Engine } from './engine.js';
import { FileStore, type PieceStore } from './file-store.js';

/** A read-only store over `dir` that flips the byte at `corrupt.at` once it is set. */
function corruptingStore(meta: Metainfo, dir: string, corrupt: { at?: number }): PieceStore {
  const inner = new FileStore(meta, dir, { readOnly: true });
  return {
    readOnly: true,
    read: async (offset, length) => {
      const data = await inner.read(offset, length);
      const at = corrupt.at;
      if (at !== undefined && at >= offset && at < offset + length) data[at - offset]! ^= 0xff;
      return data;
    },
    write: (offset, data) => inner.write(offset, data),
    close: () => inner.close(),
  };
}

const haveIndex = (m: PeerMessage) => (m.type === 'have' ? m.index : -1);

describe('super-seeding stops when the session is no longer complete', () => {
  it('a peer told only its revealed pieces hears of every piece still held once one is found damaged', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-ss-stop-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'seed'));
    writeFileSync(join(dir, 'seed', 'talk.ogg'), randomBytes(1_500_000));
    const meta = parseTorrent(
      (await createTorrent(join(dir, 'seed', 'talk.ogg'), { version: 'v1', pieceLength: 32768 })).torrent,
    );
    const engine = new Engine({ superSeed: true });
    await engine.listen(0);
    t.after(() => engine.close());
    const corrupt: { at?: number } = {};
    const session = await engine.add(
      { meta },
      { path: '', trusted: true, storeFor: (m) => corruptingStore(m, join(dir, 'seed'), corrupt) },
    );

    const peer = await connectFakePeer(engine.port, meta.infoHash);
    t.after(() => peer.close());
    if (peer.conn.remote!.negotiated.fast) peer.conn.send({ type: 'haveNone' });
    await peer.waitFor((m) => m.type === 'have');
    await new Promise((r) => setTimeout(r, 200)); // every first have
    const revealed = new Set(peer.received.map(haveIndex).filter((i) => i >= 0));
    assert.ok(revealed.size > 0 && revealed.size < meta.pieceCount / 2, `revealed: ${[...revealed]}`);

    // One revealed piece is damaged in the store; asking for it makes the seed find out.
    const bad = [...revealed][0]!;
    corrupt.at = bad * meta.pieceLength + 100;
    const damaged = new Promise<number[]>((r) => session.once('damaged', r));
    peer.conn.send({ type: 'interested' });
    await peer.waitFor((m) => m.type === 'unchoke');
    peer.conn.send({ type: 'request', index: bad, begin: 0, length: 16384 });
    assert.deepEqual(await damaged, [bad]);
    assert.equal(session.complete, false);
    const from = peer.received.length;

    // Within a tick or two, a `have` for every piece the seed still holds, and none for the bad one.
    const want = meta.pieceCount - 1;
    const told = () =>
      new Set(
        peer.received
          .slice(from)
          .map(haveIndex)
          .filter((i) => i >= 0),
      );
    const deadline = Date.now() + 5000;
    while (told().size < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1200)); // and nothing more about the bad piece later
    const after = told();
    assert.equal(after.has(bad), false, 'the damaged piece is not announced');
    assert.equal(after.size, want, `pieces announced after the damage: ${after.size} of ${want}`);
    assert.equal(session.superSeed.active, false);

    // A piece never revealed is served now, like by a normal seed.
    const hidden = [...after].find((i) => !revealed.has(i))!;
    peer.conn.send({ type: 'request', index: hidden, begin: 0, length: 16384 });
    const block = await peer.waitFor((m) => m.type === 'piece' && m.index === hidden);
    assert.equal((block as { index: number }).index, hidden);
  });
});
