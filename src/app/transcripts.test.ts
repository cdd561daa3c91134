import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import {
  captionsToVtt,
  chooseTranscript,
  jsonTranscriptToVtt,
  plainTranscript,
  vttText,
} from './transcripts.js';

describe('transcripts', () => {
  it('prefers timed captions, then JSON, then text, whatever the feed order', () => {
    const links = [
      { url: 'https://x.example/t.txt', type: 'text/plain' },
      { url: 'https://x.example/t.json', type: 'application/json' },
      { url: 'https://x.example/t.srt', type: 'application/x-subrip' },
      { url: 'https://x.example/t.pdf', type: 'application/pdf' },
    ];
    assert.equal(chooseTranscript(links)?.kind, 'srt');
    assert.equal(chooseTranscript(links.slice(0, 2))?.kind, 'json');
    assert.equal(chooseTranscript([links[3]!]), undefined);
    assert.equal(chooseTranscript(undefined), undefined);
  });

  it('converts a JSON transcript to WebVTT, escaping its text', () => {
    const json = JSON.stringify({
      version: '1.0.0',
      segments: [
        { speaker: 'Ana', startTime: 0.5, endTime: 2, body: 'Hi <b>&</b> --> welcome' },
        { startTime: 3, endTime: 3, body: 'empty span, dropped' },
      ],
    });
    const vtt = jsonTranscriptToVtt(json);
    assert.equal(
      vtt,
      'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n<v Ana>Hi &lt;b&gt;&amp;&lt;/b&gt; → welcome\n',
    );
    const text = vttText(captionsToVtt(Buffer.from(json), 'json'));
    assert.deepEqual(text, { kind: 'cues', cues: [{ start: 0.5, text: 'Hi <b>&</b> → welcome' }] });
  });

  it('refuses hostile or oversized input', () => {
    const refused = (fn: () => unknown, code: string) =>
      assert.throws(fn, (e) => isSeedcastError(e) && e.code === code);
    refused(() => jsonTranscriptToVtt('{"segments": 3}'), 'CAPTION_INVALID');
    refused(() => jsonTranscriptToVtt('not json'), 'CAPTION_INVALID');
    refused(
      () => jsonTranscriptToVtt(JSON.stringify({ segments: [{ startTime: 'x', endTime: 1, body: 'a' }] })),
      'CAPTION_INVALID',
    );
    refused(
      () =>
        jsonTranscriptToVtt(
          JSON.stringify({ segments: Array(20_001).fill({ startTime: 0, endTime: 1, body: 'a' }) }),
        ),
      'CAPTION_INVALID',
    );
    refused(() => captionsToVtt(Buffer.alloc(3 * 1024 * 1024, 0x41), 'vtt'), 'CAPTION_TOO_LARGE');
    refused(() => captionsToVtt(Buffer.from('no cues here'), 'srt'), 'CAPTION_INVALID');
    refused(() => plainTranscript(Buffer.alloc(1024 * 1024 + 1, 0x41), 'text'), 'CAPTION_INVALID');
  });

  it('reduces HTML and plain text to paragraphs, scripts and control characters gone', () => {
    assert.deepEqual(
      plainTranscript(Buffer.from('<p>A <i>b</i></p><script>evil()</script><br>C\u0007'), 'html'),
      {
        kind: 'text',
        paragraphs: ['A b', 'C'],
      },
    );
    assert.deepEqual(plainTranscript(Buffer.from('One\nline\n\nTwo\r\n\r\n\r\n'), 'text'), {
      kind: 'text',
      paragraphs: ['One line', 'Two'],
    });
  });

  it('is quick on a hostile HTML transcript', () => {
    const t0 = performance.now();
    plainTranscript(Buffer.from('<script<p'.repeat(100_000)), 'html');
    plainTranscript(Buffer.from(`${'\n \t'.repeat(300_000)}x`), 'text');
    assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
  });
});
