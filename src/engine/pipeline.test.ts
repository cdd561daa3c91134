import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_BATCH,
  MAX_QUEUE,
  MIN_QUEUE,
  QUEUE_SECONDS,
  REMOTE_START,
  RequestPipeline,
  WINDOW_MS,
} from './pipeline.js';

const BLOCK = 16 * 1024;

/** Feed `rate` bytes per second of 16 KiB blocks for `ms`, starting at `from`; returns the end time. */
function feed(p: RequestPipeline, rate: number, from: number, ms: number): number {
  const gap = (BLOCK * 1000) / rate;
  let t = from;
  for (; t < from + ms; t += gap) p.onBlock(BLOCK, t);
  return t;
}

describe('RequestPipeline', () => {
  it('starts high on loopback and local networks, lower on the internet', () => {
    assert.equal(RequestPipeline.forPeer('127.0.0.1').size, MAX_QUEUE);
    assert.equal(RequestPipeline.forPeer('192.168.1.20').size, MAX_QUEUE);
    assert.equal(RequestPipeline.forPeer('::1').size, MAX_QUEUE);
    assert.equal(RequestPipeline.forPeer('8.8.8.8').size, REMOTE_START);
    assert.equal(RequestPipeline.forPeer('127.0.0.1', 'webrtc').size, REMOTE_START);
  });

  it('sizes the queue to rate × QUEUE_SECONDS within the first window of blocks', () => {
    const p = new RequestPipeline(REMOTE_START);
    const rate = 1024 * 1024; // 1 MiB/s: 3 s of it is 192 blocks
    feed(p, rate, 0, WINDOW_MS + 20);
    assert.ok(Math.abs(p.size - (rate * QUEUE_SECONDS) / BLOCK) <= 2, `size ${p.size}`);
  });

  it('shrinks for a slow peer and stays within its bounds', () => {
    const slow = new RequestPipeline(MAX_QUEUE);
    feed(slow, 20 * 1024, 0, 5000); // 20 KiB/s
    assert.equal(slow.size, MIN_QUEUE);
    const fast = new RequestPipeline(MIN_QUEUE);
    feed(fast, 500 * 1024 * 1024, 0, 1000);
    assert.equal(fast.size, MAX_QUEUE);
  });

  it("follows a change of rate and never asks more than the peer's reqq", () => {
    const p = new RequestPipeline(REMOTE_START);
    const t = feed(p, 4 * 1024 * 1024, 0, 1000);
    assert.equal(p.size, MAX_QUEUE);
    feed(p, 256 * 1024, t, 3000);
    assert.ok(p.size < 60 && p.size > 40, `size ${p.size} after the rate fell to 256 KiB/s`);
    assert.equal(new RequestPipeline(MAX_QUEUE).want(0, 250), 250);
  });

  it('sends requests in batches once the queue is full', () => {
    const p = new RequestPipeline(MAX_QUEUE);
    assert.equal(p.want(0), MAX_QUEUE, 'an empty queue is filled at once');
    assert.equal(p.want(MAX_QUEUE - 1), 0, 'one free slot waits for a batch');
    assert.equal(p.want(MAX_QUEUE - MAX_BATCH), MAX_BATCH);
    const small = new RequestPipeline(MIN_QUEUE);
    assert.equal(small.want(MIN_QUEUE - 1), 0);
    assert.equal(small.want(MIN_QUEUE - 2), 2);
    assert.equal(small.want(MIN_QUEUE + 3), 0);
  });
});
