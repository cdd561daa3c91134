/**
 * Caption files: WebVTT parsed and rewritten canonically, SRT converted (markup, commas, BOM, CRLF),
 * and hostile input refused with a clear error: other encodings, missing headers, bad or reversed
 * timings, oversize files, too many cues, overlong cues, markup soup, STYLE blocks.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import {
  CAPTION_LIMITS,
  cuePlainText,
  decodeCaptionBytes,
  formatTimestamp,
  parseCaptions,
  parseTimestamp,
  srtTextToVtt,
  stripCueMarkup,
} from './captions-format.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

function refused(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSeedcastError(err), String(err));
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('WebVTT', () => {
  test('parses cues with settings and markup, and writes canonical WebVTT', () => {
    const input = [
      'WEBVTT - a title',
      'Kind: captions',
      '',
      'NOTE a comment',
      'spanning lines',
      '',
      'STYLE',
      '::cue { background-image: url(https://tracker.example/x.png) }',
      '',
      'intro',
      '00:01.000 --> 00:04.500 align:start line:0 evil:1',
      '<v Ada>Hello <b>world</b> &amp; friends</v>',
      '',
      '01:00:00.000 --> 01:00:02.000',
      'Later',
      '',
      '00:00.500 --> 00:00.900',
      'First',
    ].join('\r\n');
    const parsed = parseCaptions(bytes(input));
    assert.equal(parsed.format, 'vtt');
    assert.deepEqual(
      parsed.cues.map((c) => [c.start, c.end]),
      [
        [500, 900],
        [1000, 4500],
        [3_600_000, 3_602_000],
      ],
    );
    assert.equal(parsed.cues[1]!.settings, 'align:start line:0');
    assert.equal(cuePlainText(parsed.cues[1]!), 'Hello world & friends');
    assert.equal(
      parsed.vtt,
      'WEBVTT\n\n00:00:00.500 --> 00:00:00.900\nFirst\n\n00:00:01.000 --> 00:00:04.500 align:start line:0\n<v Ada>Hello <b>world</b> &amp; friends</v>\n\n01:00:00.000 --> 01:00:02.000\nLater\n',
    );
    assert.doesNotMatch(parsed.vtt, /STYLE|url\(|NOTE/);
    // the canonical file parses to the same cues
    assert.deepEqual(parseCaptions(bytes(parsed.vtt)).cues, parsed.cues);
  });

  test('refuses a missing header, bad and reversed timings, text holding -->', () => {
    refused(
      () => parseCaptions(bytes('WEBVT\n\n00:01.000 --> 00:02.000\nx\n'), { format: 'vtt' }),
      'CAPTION_INVALID',
      /line 1/,
    );
    refused(() => parseCaptions(bytes('WEBVTT\n\n00:01.000 --> 00:02\nx\n')), 'CAPTION_INVALID', /line 3/);
    refused(() => parseCaptions(bytes('WEBVTT\n\n00:61.000 --> 00:62.000\nx\n')), 'CAPTION_INVALID');
    refused(
      () => parseCaptions(bytes('WEBVTT\n\n00:05.000 --> 00:02.000\nx\n')),
      'CAPTION_INVALID',
      /before it starts/,
    );
    refused(
      () => parseCaptions(bytes('WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\n')),
      'CAPTION_INVALID',
      /-->/,
    );
    refused(() => parseCaptions(bytes('WEBVTT\n\njust text\n')), 'CAPTION_INVALID', /cue timing/);
    refused(() => parseCaptions(bytes('WEBVTT\n')), 'CAPTION_INVALID', /no cues/);
  });

  test('timestamps both ways', () => {
    assert.equal(parseTimestamp('00:01.250'), 1250);
    assert.equal(parseTimestamp('10:00:01.250'), 36_001_250);
    assert.equal(parseTimestamp('0:00:01.250'), undefined);
    assert.equal(parseTimestamp('00:00:01,25', true), 1250);
    assert.equal(formatTimestamp(36_001_250), '10:00:01.250');
  });
});

describe('SRT', () => {
  test('converts to WebVTT: BOM, CRLF, commas, tags, ASS codes, escapes', () => {
    const srt =
      '\uFEFF1\r\n00:00:01,000 --> 00:00:02,500 X1:10 X2:20\r\n<font color="red">Red</font> <i>italic</i> {\\an8}top\r\n5 < 6 & "quotes" --> arrow\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\n<script>alert(1)</script>\r\n\r\n3\r\n00:00:05,000 --> 00:00:06,000\r\n\r\n';
    const parsed = parseCaptions(bytes(srt));
    assert.equal(parsed.format, 'srt');
    assert.equal(parsed.cues.length, 2, 'the empty cue is dropped');
    assert.equal(parsed.cues[0]!.text, 'Red <i>italic</i> top\n5 &lt; 6 &amp; "quotes" → arrow');
    assert.equal(parsed.cues[1]!.text, 'alert(1)');
    assert.match(parsed.vtt, /^WEBVTT\n\n00:00:01\.000 --> 00:00:02\.500\n/);
    assert.deepEqual(parseCaptions(bytes(parsed.vtt)).cues, parsed.cues);
  });

  test('markup conversion keeps only i, b, u', () => {
    assert.equal(
      srtTextToVtt('<B>bold</B> <c.x>c</c.x> a&b &amp; <u>u</u>'),
      '<b>bold</b> c a&amp;b &amp; <u>u</u>',
    );
  });

  test('refuses what is neither format', () => {
    refused(() => parseCaptions(bytes('hello there\nthis is prose\n')), 'CAPTION_INVALID', /neither WebVTT/);
    refused(() => parseCaptions(bytes('1\n00:00:01 --> 00:00:02\nx\n')), 'CAPTION_INVALID', /timing/);
    refused(
      () => parseCaptions(bytes('1\n00:00:03,000 --> 00:00:02,000\nx\n')),
      'CAPTION_INVALID',
      /before it starts/,
    );
  });
});

describe('hostile input', () => {
  test('encodings other than UTF-8 are refused with how to fix it', () => {
    refused(() => decodeCaptionBytes(Buffer.from('\uFEFFWEBVTT', 'utf16le')), 'CAPTION_ENCODING', /UTF-16/);
    refused(
      () => decodeCaptionBytes(Buffer.from([0x57, 0x45, 0x42, 0x56, 0x54, 0x54, 0x0a, 0xe9, 0x74, 0xe9])),
      'CAPTION_ENCODING',
      /Windows-1252/,
    );
    refused(() => decodeCaptionBytes(Buffer.from('WEBVTT\0\n')), 'CAPTION_ENCODING', /NUL/);
    assert.equal(decodeCaptionBytes(bytes('\uFEFFWEBVTT')), 'WEBVTT');
  });

  test('size, cue count and cue length are capped', () => {
    refused(() => parseCaptions(Buffer.alloc(CAPTION_LIMITS.bytes + 1, 0x41)), 'CAPTION_TOO_LARGE');
    const many = `WEBVTT\n\n${Array.from({ length: CAPTION_LIMITS.cues + 1 }, (_, i) => `${formatTimestamp(i * 10)} --> ${formatTimestamp(i * 10 + 5)}\nx`).join('\n\n')}\n`;
    assert.ok(many.length < CAPTION_LIMITS.bytes);
    refused(() => parseCaptions(bytes(many)), 'CAPTION_INVALID', /more than 20000 cues/);
    const long = `WEBVTT\n\n00:01.000 --> 00:02.000\n${'a'.repeat(CAPTION_LIMITS.cueChars + 1)}\n`;
    refused(() => parseCaptions(bytes(long)), 'CAPTION_INVALID', /1000 characters/);
  });

  test('markup soup strips to text without throwing or hanging', () => {
    const soup = `${'<'.repeat(50_000)}word${'>'.repeat(50_000)}&#0;&#x110000;&#65;&nbsp;&bogus;`;
    const started = Date.now();
    const text = stripCueMarkup(soup);
    assert.ok(Date.now() - started < 1000);
    assert.match(text, /A/);
    assert.equal(stripCueMarkup('<00:00:01.000><c.loud>Hi</c>&lrm;'), 'Hi');
  });

  test('a long run of blank lines or timing-like garbage is refused quickly', () => {
    const started = Date.now();
    refused(() => parseCaptions(bytes(`WEBVTT\n${'\n'.repeat(1_000_000)}x --> y\n`)), 'CAPTION_INVALID');
    refused(() => parseCaptions(bytes(`1\n${'-->'.repeat(500_000)}\n`)), 'CAPTION_INVALID');
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  });
});
