import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { type DataChannelLike, DataChannelStream } from './datachannel-stream.js';
import { maxMessageSize, type WebRtcModule, WebRtcTransport, webRtcAvailability } from './webrtc.js';

/** A data channel in memory: records what is sent; `bufferedAmount` is what the test says. */
class FakeChannel implements DataChannelLike {
  readyState = 'open';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onbufferedamountlow: ((event: unknown) => void) | null = null;
  readonly sent: Buffer[] = [];
  closed = 0;
  send(data: ArrayBufferView): void {
    this.sent.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.bufferedAmount += data.byteLength;
  }
  close(): void {
    this.closed++;
    this.readyState = 'closed';
  }
}

async function wrtcOrSkip(t: TestContext): Promise<WebRtcModule | undefined> {
  const available = await webRtcAvailability();
  if (available.on) return available.module;
  if (process.env.CI === 'true') throw new Error(available.reason);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${available.reason} ***\n\n`);
  t.skip(available.reason);
  return undefined;
}

/** Two transports joined by one data channel: [offerer's stream, answerer's stream]. */
async function pair(t: TestContext, module: WebRtcModule): Promise<[Duplex, Duplex, WebRtcTransport]> {
  const a = new WebRtcTransport(module);
  const b = new WebRtcTransport(module);
  t.after(() => {
    a.close();
    b.close();
  });
  const offer = await a.createOffer();
  let answered: (s: Duplex) => void = () => {};
  const theirs = new Promise<Duplex>((resolve) => (answered = resolve));
  const answer = await b.answerOffer(offer.sdp, { onStream: (s) => answered(s) });
  assert.match(answer, /a=candidate:/, 'the answer carries its candidates (non-trickle)');
  const ours = await offer.accept(answer);
  return [ours, await theirs, b];
}

describe('data channel stream', () => {
  it('splits writes into messages of at most 16 KiB and coalesces corked writes', async () => {
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel, { bufferLimit: 1 << 30 });
    assert.equal(channel.binaryType, 'arraybuffer');
    const big = randomBytes(40_000);
    stream.write(big);
    stream.cork();
    stream.write(Buffer.from([1, 2]));
    stream.write(Buffer.from([3]));
    process.nextTick(() => stream.uncork());
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      channel.sent.map((b) => b.byteLength),
      [16384, 16384, 40_000 - 32768, 3],
    );
    assert.ok(Buffer.concat(channel.sent.slice(0, 3)).equals(big));
    assert.deepEqual([...channel.sent[3]!], [1, 2, 3]);
  });

  it('holds writes while the channel buffer is over its limit, and drains on bufferedamountlow', async () => {
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel, { bufferLimit: 32 * 1024 });
    assert.equal(channel.bufferedAmountLowThreshold, 16 * 1024);
    let more = true;
    let writes = 0;
    while (more && writes < 1000) {
      more = stream.write(Buffer.alloc(16384));
      writes++;
    }
    assert.equal(more, false, 'write() said to wait');
    assert.ok(writes < 100);
    const sentBefore = channel.sent.length;
    let drained = false;
    stream.once('drain', () => (drained = true));
    for (let rounds = 0; !drained && rounds < 100; rounds++) {
      channel.bufferedAmount = 0; // the channel sent what it held
      channel.onbufferedamountlow?.({});
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(drained);
    assert.ok(channel.sent.length > sentBefore, 'queued writes went out once the buffer emptied');
  });

  it('drains even when the channel never fires bufferedamountlow (polls the buffer)', async () => {
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel, { bufferLimit: 32 * 1024 });
    while (stream.write(Buffer.alloc(16384))) {}
    const drained = once(stream, 'drain');
    const empty = setInterval(() => {
      channel.bufferedAmount = 0; // sent, but no event (as @roamhq/wrtc 0.10 sometimes does)
    }, 1);
    await drained;
    clearInterval(empty);
  });

  it('pushes binary messages and ends when the channel closes', async () => {
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    channel.onmessage?.({ data: new Uint8Array([1, 2, 3]).buffer });
    channel.onmessage?.({ data: new Uint8Array([9, 4, 5, 6]).subarray(1) });
    channel.onclose?.({});
    await once(stream, 'close');
    assert.deepEqual([...Buffer.concat(chunks)], [1, 2, 3, 4, 5, 6]);
  });

  it('is destroyed by a text message or a channel error, and calls onClose once', async () => {
    let closes = 0;
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel, { onClose: () => closes++ });
    const closed = new Promise((r) => stream.on('error', () => {}).once('close', r));
    channel.onmessage?.({ data: 'hello' });
    await closed;
    assert.match(String(stream.errored), /text message/);
    assert.equal(channel.closed, 1);
    assert.equal(closes, 1);

    const other = new FakeChannel();
    const s2 = new DataChannelStream(other);
    const closed2 = new Promise((r) => s2.on('error', () => {}).once('close', r));
    other.onerror?.({ error: new Error('sctp failure') });
    await closed2;
    assert.match(String(s2.errored), /sctp failure/);
  });

  it('write fails once the channel is closed', async () => {
    const channel = new FakeChannel();
    const stream = new DataChannelStream(channel);
    channel.readyState = 'closed';
    const failed = once(stream, 'error');
    stream.write(Buffer.from([1]));
    const [err] = (await failed) as [Error];
    assert.match(err.message, /closed/);
  });
});

describe('message size', () => {
  it("follows the remote's a=max-message-size (RFC 8841), 64 KiB when absent, within 16..256 KiB", () => {
    assert.equal(maxMessageSize('v=0\r\na=max-message-size:262144\r\n'), 262144);
    assert.equal(maxMessageSize('v=0\r\n'), 65536);
    assert.equal(maxMessageSize('a=max-message-size:0\r\n'), 262144);
    assert.equal(maxMessageSize('a=max-message-size:1000\r\n'), 16384);
    assert.equal(maxMessageSize('a=max-message-size:99999999\r\n'), 262144);
  });
});

describe('webrtc availability', () => {
  it('reports a missing package as not installed', async () => {
    const missing = await webRtcAvailability('@seedcast/no-such-webrtc-package');
    assert.equal(missing.on, false);
    assert.match(!missing.on ? missing.reason : '', /not installed/);
  });
});

describe('webrtc transport (two @roamhq/wrtc peers in this process)', () => {
  it('answers an offer with every candidate and moves bytes both ways, in order, over the channel', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const [ours, theirs] = await pair(t, module);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const received: Buffer[] = [];
    let got = 0;
    const all = new Promise<void>((resolve) =>
      theirs.on('data', (c: Buffer) => {
        received.push(c);
        got += c.byteLength;
        if (got >= data.byteLength) resolve();
      }),
    );
    for (let at = 0; at < data.byteLength; at += 100_000) {
      if (!ours.write(data.subarray(at, at + 100_000))) await once(ours, 'drain');
    }
    await all;
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.equal(digest(Buffer.concat(received)), digest(data));
    const back = once(ours, 'data');
    theirs.write(Buffer.from('pong'));
    assert.equal(String((await back)[0]), 'pong');
  });

  it('closing one side closes the other and frees the connection', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const [ours, theirs, answerer] = await pair(t, module);
    assert.equal(answerer.size, 1);
    const closed = once(theirs, 'close');
    ours.destroy();
    await closed;
    assert.equal(answerer.size, 0);
  });

  it('refuses offers beyond its connection limit, and garbage SDP', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const offerer = new WebRtcTransport(module);
    const answerer = new WebRtcTransport(module, { maxConnections: 1, openTimeoutMs: 60_000 });
    t.after(() => {
      offerer.close();
      answerer.close();
    });
    await assert.rejects(answerer.answerOffer('v=0 nonsense', { onStream: () => {} }), {
      code: 'WEBRTC_SIGNAL',
    });
    assert.equal(answerer.size, 0, 'a failed answer leaves no connection behind');
    const first = await offerer.createOffer();
    await answerer.answerOffer(first.sdp, { onStream: () => {} });
    const second = await offerer.createOffer();
    await assert.rejects(answerer.answerOffer(second.sdp, { onStream: () => {} }), { code: 'WEBRTC_LIMIT' });
  });

  it('closes a connection whose data channel never opens', async (t) => {
    const module = await wrtcOrSkip(t);
    if (!module) return;
    const offerer = new WebRtcTransport(module);
    const answerer = new WebRtcTransport(module, { openTimeoutMs: 300 });
    t.after(() => {
      offerer.close();
      answerer.close();
    });
    const offer = await offerer.createOffer(); // its answer is never given back: nothing connects
    await answerer.answerOffer(offer.sdp, { onStream: () => assert.fail('no channel expected') });
    assert.equal(answerer.size, 1);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(answerer.size, 0);
  });
});
