import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { corkForTurn, flushTurn } from './turn-cork.js';

/** A stream that records each write call it gets: one entry per `_write`/`_writev`. */
function recorder(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      calls.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      cb();
    },
  });
  return { stream, calls };
}

describe('corkForTurn', () => {
  it("sends a turn's writes to a stream in one writev, at the end of the turn", async () => {
    const { stream, calls } = recorder();
    for (const m of ['have 1', 'have 2', 'request 3']) {
      corkForTurn(stream as never);
      stream.write(m);
    }
    assert.deepEqual(calls, [], 'nothing written during the turn');
    await nextTurn();
    assert.deepEqual(calls, [['have 1', 'have 2', 'request 3']]);
  });

  it('corks again in the next turn, and keeps nested cork/uncork pairs balanced', async () => {
    const { stream, calls } = recorder();
    corkForTurn(stream as never);
    stream.cork();
    stream.write('header');
    stream.write('block');
    stream.uncork();
    assert.deepEqual(calls, [], 'still corked for the turn');
    await nextTurn();
    assert.deepEqual(calls, [['header', 'block']]);
    corkForTurn(stream as never);
    stream.write('have 4');
    await nextTurn();
    assert.deepEqual(calls, [['header', 'block'], ['have 4']]);
    assert.equal(stream.writableCorked, 0);
  });

  it('flushes at once on demand (a connection closing mid-turn), and the end of the turn then does nothing', async () => {
    const { stream, calls } = recorder();
    corkForTurn(stream as never);
    stream.write('reject 1');
    flushTurn(stream as never);
    assert.deepEqual(calls, [['reject 1']]);
    assert.equal(stream.writableCorked, 0);
    await nextTurn();
    assert.equal(stream.writableCorked, 0);
  });
});
