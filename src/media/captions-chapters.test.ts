/**
 * Podcast JSON chapters: normalised (sorted, unknown fields dropped), refused when hostile (bad
 * times, links other than http(s), too many, too large), and the editor's text form both ways.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { CHAPTER_LIMITS, chaptersFromText, chaptersToText, checkChapters } from './captions-chapters.js';

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSeedcastError(err, 'CHAPTERS_INVALID'), String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

test('chapters are sorted and cleaned', () => {
  const doc = checkChapters({
    version: '1.2.0',
    chapters: [
      { startTime: 90.5, title: '  Second   part ', url: 'https://example.org/a', extra: 'x' },
      { startTime: 0, title: 'Intro', img: 'https://example.org/i.png', toc: false },
    ],
  });
  assert.deepEqual(doc, {
    version: '1.2.0',
    chapters: [
      { startTime: 0, title: 'Intro', img: 'https://example.org/i.png', toc: false },
      { startTime: 90.5, title: 'Second part', url: 'https://example.org/a' },
    ],
  });
  assert.deepEqual(checkChapters(JSON.stringify(doc)), doc);
});

test('hostile chapters are refused', () => {
  refused(() => checkChapters('{'), /not JSON/);
  refused(() => checkChapters([]), /object/);
  refused(() => checkChapters({ version: '9', chapters: [] }), /version/);
  refused(() => checkChapters({ chapters: [{ startTime: -1, title: 'x' }] }), /startTime/);
  refused(() => checkChapters({ chapters: [{ startTime: Number.NaN, title: 'x' }] }), /startTime/);
  refused(() => checkChapters({ chapters: [{ startTime: '5', title: 'x' }] }), /startTime/);
  refused(() => checkChapters({ chapters: [{ startTime: 1, title: '' }] }), /title/);
  refused(
    () => checkChapters({ chapters: [{ startTime: 1, title: 'x', url: 'javascript:alert(1)' }] }),
    /http/,
  );
  refused(
    () => checkChapters({ chapters: [{ startTime: 1, title: 'x', img: 'data:image/png,xx' }] }),
    /http/,
  );
  refused(() => checkChapters({ chapters: [{ startTime: 5, endTime: 4, title: 'x' }] }), /endTime/);
  const many = Array.from({ length: CHAPTER_LIMITS.chapters + 1 }, (_, i) => ({ startTime: i, title: 't' }));
  refused(() => checkChapters({ chapters: many }), /at most 500/);
  refused(() => checkChapters('x'.repeat(CHAPTER_LIMITS.bytes + 1)), /bytes/);
});

test('the editor text form', () => {
  const doc = chaptersFromText('0:00 Intro\n\n1:02:03.5 Deep dive https://example.org/d\r\n12:30 Middle');
  assert.deepEqual(
    doc.chapters.map((c) => [c.startTime, c.title, c.url]),
    [
      [0, 'Intro', undefined],
      [750, 'Middle', undefined],
      [3723.5, 'Deep dive', 'https://example.org/d'],
    ],
  );
  assert.equal(chaptersToText(doc), '0:00 Intro\n12:30 Middle\n1:02:03.5 Deep dive https://example.org/d');
  assert.deepEqual(chaptersFromText(chaptersToText(doc)), doc);
  refused(() => chaptersFromText('Intro at the start'), /line 1/);
  refused(() => chaptersFromText('0:00 ok\n0:75 bad seconds'), /line 2/);
  assert.deepEqual(chaptersFromText('  \n').chapters, []);
});
