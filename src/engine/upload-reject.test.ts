/**
 * BEP 6 rejects from the upload part (`session-upload.ts`): a request the seed will not serve (the
 * peer is choked) is answered with a `reject` of that block, never with anything else. The request
 * held by the uploader is the parsed `request` message; a reject built by spreading it after `type`
 * went out as a `request`, which the other side bounced back the same way (issue 22's swarm: tens
 * of thousands of requests between downloaders, and the real requests waited out their time-out).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectFakePeer } from '../../test/helpers/fake-peer.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { Engine } from './engine.js';

describe('upload rejects', () => {
  it('a request from a choked Fast peer is answered with a reject of that block, not a request', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-reject-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'seed'));
    writeFileSync(join(dir, 'seed', 'clip.webm'), randomBytes(300_000));
    const meta = parseTorrent(
      (await createTorrent(join(dir, 'seed', 'clip.webm'), { version: 'v1', pieceLength: 32768 })).torrent,
    );
    const engine = new Engine();
    await engine.listen(0);
    t.after(() => engine.close());
    await engine.add({ meta }, { path: join(dir, 'seed'), readOnly: true });

    const peer = await connectFakePeer(engine.port, meta.infoHash);
    t.after(() => peer.close());
    assert.equal(peer.conn.remote!.negotiated.fast, true, 'both sides speak Fast');
    // Not interested, so never unchoked: the request is refused.
    peer.conn.send({ type: 'request', index: 2, begin: 16384, length: 16384 });
    const answer = await peer.waitFor((m) => m.type === 'reject' || m.type === 'request');
    assert.deepEqual(answer, { type: 'reject', index: 2, begin: 16384, length: 16384 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(peer.requests().length, 0, 'the seed sent no request');
  });
});
