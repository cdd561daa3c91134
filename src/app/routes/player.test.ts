import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startPodcastHost } from '../../../test/aggregator-fixtures.js';
import { appKit, completeEpisode } from '../../../test/helpers/app-kit.js';
import { playerRoutesWith } from './player.js';

const ID = '00112233445566aa';
const CHAPTERS = JSON.stringify({
  version: '1.2.0',
  chapters: [
    { startTime: 30, title: 'Second <b>part</b>' },
    { startTime: 0, title: 'Intro', url: 'https://pod.example/intro' },
  ],
});
const SRT =
  '1\n00:00:01,000 --> 00:00:03,000\nHello <i>there</i> & <script>x</script>\n\n2\n00:00:04,000 --> 00:00:05,500\nBye\n';

describe('the episode page', () => {
  it('shows the player, chapters as seek buttons, SRT captions as a VTT track and the transcript', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/c.json', { body: CHAPTERS, type: 'application/json' });
    host.set('/t.srt', { body: SRT, type: 'application/x-subrip' });
    const kit = await appKit(t, [playerRoutesWith({ waitMs: 5000 })]);
    const record = await completeEpisode(kit, {
      id: ID,
      feed: `${host.url}/feed.xml`,
      bytes: Buffer.alloc(10),
      mediaType: 'audio/mpeg',
      position: 12.5,
      description: 'About <things>.',
      chapters: `${host.url}/c.json`,
      transcripts: [
        { url: `${host.url}/t.txt`, type: 'text/plain' },
        { url: `${host.url}/t.srt`, type: 'application/x-subrip', language: 'en' },
      ],
    });
    const page = await kit.request({
      method: 'GET',
      url: `/episodes/${ID}`,
      headers: { accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    const html = page.body;
    assert.match(html, /<audio id="player"[^>]*src="\/media\/00112233445566aa"/);
    assert.match(html, /preload="metadata"/);
    assert.match(html, /data-position="12.5"/);
    assert.match(
      html,
      /<track kind="captions" src="\/episodes\/00112233445566aa\/captions.vtt" srclang="en"/,
    );
    assert.match(html, /id="chapters"/);
    assert.match(
      html,
      /data-start="0"[\s\S]*Intro[\s\S]*data-start="30"[\s\S]*Second &lt;b&gt;part&lt;\/b&gt;/,
    );
    assert.match(html, /id="transcript"[\s\S]*Hello there &amp; x/);
    assert.match(html, /About &lt;things&gt;\./);
    assert.doesNotMatch(html, /<script>x/);
    assert.match(html, /id="episode-state"[^>]*data-state="complete"[^>]*>Downloaded</);
    assert.ok(existsSync(`${record.base}.chapters.json`));
    const vtt = await kit.request({ method: 'GET', url: `/episodes/${ID}/captions.vtt` });
    assert.equal(vtt.statusCode, 200);
    assert.match(String(vtt.headers['content-type']), /^text\/vtt/);
    assert.match(vtt.body, /^WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello <i>there<\/i> &amp; x\n/);
    assert.equal(readFileSync(`${record.base}.vtt`, 'utf8'), vtt.body);
    // A second view reads the cache: no new request.
    const before = host.log.length;
    await kit.request({ method: 'GET', url: `/episodes/${ID}` });
    assert.equal(host.log.length, before);
  });

  it('refuses hostile chapters with a message, and the page still works', async (t) => {
    const host = await startPodcastHost(t);
    host.set('/bad.json', {
      body: JSON.stringify({
        version: '1.2.0',
        chapters: [{ startTime: 0, title: 'x', url: 'javascript:alert(1)' }],
      }),
    });
    host.set('/big.json', { body: `{"chapters":[${'{"startTime":0,"title":"x"},'.repeat(20_000)}]}` });
    host.set('/t.html', { body: '<h1>Title</h1><p>One <b>two</b></p><script>alert(1)</script><p>Three</p>' });
    const kit = await appKit(t, [playerRoutesWith({ waitMs: 5000 })]);
    await completeEpisode(kit, {
      id: ID,
      feed: `${host.url}/feed.xml`,
      chapters: `${host.url}/bad.json`,
      transcripts: [{ url: `${host.url}/t.html`, type: 'text/html' }],
    });
    await completeEpisode(kit, {
      id: `${ID.slice(0, 15)}b`,
      feed: `${host.url}/feed.xml`,
      chapters: `${host.url}/big.json`,
      file: 'S/b.mp3',
    });
    const page = await kit.request({ method: 'GET', url: `/episodes/${ID}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="chapters-error"[^>]*>Chapters unavailable: .*an http or https URL/);
    assert.doesNotMatch(page.body, /javascript:alert/);
    assert.match(page.body, /id="transcript"[\s\S]*<p>Title<\/p><p>One two<\/p><p>Three<\/p>/);
    assert.doesNotMatch(page.body, /<track/);
    assert.equal((await kit.request({ method: 'GET', url: `/episodes/${ID}/captions.vtt` })).statusCode, 404);
    const big = await kit.request({ method: 'GET', url: `/episodes/${ID.slice(0, 15)}b` });
    assert.match(big.body, /Chapters unavailable: .*(more than|limit)/);
  });

  it('does not wait on a slow server: "unavailable", then the result on a later view', async (t) => {
    const host = await startPodcastHost(t);
    const long = Array.from({ length: 30 }, (_, i) => ({
      startTime: i * 10,
      title: `Part ${i} ${'x'.repeat(200)}`,
    }));
    // About 7 KB sent 1 KiB every 100 ms: there in 0.7 s.
    host.set('/c.json', { body: JSON.stringify({ version: '1.2.0', chapters: long }), bytesPerSecond: 500 });
    host.set('/never.vtt', {
      body: `WEBVTT\n\n${'00:00:01.000 --> 00:00:02.000\nx\n\n'.repeat(2000)}`,
      bytesPerSecond: 1000,
    });
    const kit = await appKit(t, [playerRoutesWith({ waitMs: 200, fetchMs: 1500 })]);
    await completeEpisode(kit, {
      id: ID,
      feed: `${host.url}/feed.xml`,
      chapters: `${host.url}/c.json`,
      transcripts: [{ url: `${host.url}/never.vtt`, type: 'text/vtt' }],
    });
    const t0 = Date.now();
    const first = await kit.request({ method: 'GET', url: `/episodes/${ID}` });
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    assert.match(first.body, /Chapters unavailable: the server is slow/);
    assert.match(first.body, /Transcript unavailable/);
    const deadline = Date.now() + 10_000;
    let body = '';
    while (Date.now() < deadline) {
      body = (await kit.request({ method: 'GET', url: `/episodes/${ID}` })).body;
      if (body.includes('id="chapters"') && /Transcript unavailable: .*timed out/.test(body)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(body, /id="chapters"/);
    assert.match(body, /Transcript unavailable: .*timed out/);
  });

  it('offers the player only once the episode is complete, and a video element for video', async (t) => {
    const kit = await appKit(t, [playerRoutesWith()]);
    await completeEpisode(kit, { id: ID, status: 'queued', path: undefined });
    const queued = await kit.request({ method: 'GET', url: `/episodes/${ID}` });
    assert.doesNotMatch(queued.body, /id="player"/);
    assert.match(queued.body, /id="player-missing"/);
    await completeEpisode(kit, { id: `${ID.slice(0, 15)}c`, mediaType: 'video/mp4', file: 'S/v.mp4' });
    const video = await kit.request({ method: 'GET', url: `/episodes/${ID.slice(0, 15)}c` });
    assert.match(video.body, /<video id="player"/);
    assert.equal((await kit.request({ method: 'GET', url: '/episodes/0000000000000000' })).statusCode, 404);
  });
});

describe('fetching ahead', () => {
  it("fetches a newly completed episode's chapters and transcript without a view", async (t) => {
    const host = await startPodcastHost(t);
    host.set('/c.json', { body: CHAPTERS });
    host.set('/t.srt', { body: SRT });
    const kit = await appKit(t, [playerRoutesWith({ prefetchMs: 50 })]);
    const old = await completeEpisode(kit, {
      id: `${ID.slice(0, 15)}d`,
      feed: `${host.url}/feed.xml`,
      chapters: `${host.url}/c.json`,
      completedAt: '2020-01-01T00:00:00Z',
      file: 'S/old.mp3',
    });
    const record = await completeEpisode(kit, {
      id: ID,
      feed: `${host.url}/feed.xml`,
      chapters: `${host.url}/c.json`,
      transcripts: [{ url: `${host.url}/t.srt`, type: 'application/x-subrip' }],
    });
    const deadline = Date.now() + 10_000;
    while (!(existsSync(`${record.base}.chapters.json`) && existsSync(`${record.base}.vtt`))) {
      assert.ok(Date.now() < deadline, 'fetched ahead within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(existsSync(`${old.base}.chapters.json`), false);
  });
});

describe('PUT /api/episodes/:id/position', () => {
  it('saves the position (CSRF token required) and checks the number', async (t) => {
    const kit = await appKit(t, [playerRoutesWith()]);
    const record = await completeEpisode(kit, { id: ID });
    const ok = await kit.request({
      method: 'PUT',
      url: `/api/episodes/${ID}/position`,
      payload: { seconds: 42.25 },
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { id: ID, position: 42.3 });
    assert.equal(record.position, 42.3);
    const noToken = await kit.request({
      method: 'PUT',
      url: `/api/episodes/${ID}/position`,
      payload: { seconds: 1 },
      headers: { 'x-csrf-token': '' },
    });
    assert.equal(noToken.statusCode, 403);
    for (const seconds of [-1, 'x', 4e6]) {
      const bad = await kit.request({
        method: 'PUT',
        url: `/api/episodes/${ID}/position`,
        payload: { seconds },
      });
      assert.equal(bad.statusCode, 400, `${seconds}`);
    }
    assert.equal(record.position, 42.3);
    const missing = await kit.request({
      method: 'PUT',
      url: '/api/episodes/ffffffffffffffff/position',
      payload: { seconds: 1 },
    });
    assert.equal(missing.statusCode, 404);
  });
});
