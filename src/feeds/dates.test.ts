import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDate, parseDuration, parseMinutes, updateInterval } from './dates.js';

describe('feed dates', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 +0200', '2003-06-10T02:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 -05:30', '2003-06-10T09:30:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 EDT', '2003-06-10T08:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 PST', '2003-06-10T12:00:00.000Z'],
    ['Tuesday, 10 June 2003 04:00 CEST', '2003-06-10T02:00:00.000Z'],
    ['Sun, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'], // wrong day name: the date wins
    ['10 Jun 03 04:00:00 Z', '2003-06-10T04:00:00.000Z'],
    ['1 Jan 99 00:00 UT', '1999-01-01T00:00:00.000Z'],
    ['Wed, 02 Oct 2002 13:00:00', '2002-10-02T13:00:00.000Z'], // no zone: UTC
    ['Wed, 2 Oct 2002', '2002-10-02T00:00:00.000Z'],
    ['Mon, 5 Jan 2025 10:00:00 M', '2025-01-05T10:00:00.000Z'], // military zone: unknown, taken as UTC
    ['Jun 10, 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['2003-06-10T04:00:00Z', '2003-06-10T04:00:00.000Z'],
    ['2003-06-10T04:00:00.123+01:00', '2003-06-10T03:00:00.123Z'],
    ['2003-06-10 04:00:00+0100', '2003-06-10T03:00:00.000Z'],
    ['2003-06-10', '2003-06-10T00:00:00.000Z'],
    ['20030610T040000Z', '2003-06-10T04:00:00.000Z'],
    ['  Tue,   10 Jun 2003\n 04:00:00 GMT ', '2003-06-10T04:00:00.000Z'],
    ['Tue, 31 Feb 2003 04:00:00 GMT', undefined],
    ['2003-13-10', undefined],
    ['10 Foo 2003', undefined],
    ['Tue, 10 Jun 2003 04:00:00 XYZT', undefined],
    ['yesterday', undefined],
    ['', undefined],
    [`${'1'.repeat(100_000)}`, undefined],
  ];
  for (const [input, want] of cases) {
    it(`reads ${JSON.stringify(input.slice(0, 40))}`, () => assert.equal(parseDate(input), want));
  }
});

describe('itunes:duration', () => {
  it('reads seconds and clock forms', () => {
    assert.equal(parseDuration('3723'), 3723);
    assert.equal(parseDuration('3723.6'), 3724);
    assert.equal(parseDuration('62:03'), 3723);
    assert.equal(parseDuration('1:02:03'), 3723);
    assert.equal(parseDuration('01:02:03.4'), 3723);
    assert.equal(parseDuration(' 5:07 '), 307);
    assert.equal(parseDuration(90), 90);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', 'abc', '1:99', '1:60:00', '-5', '1::2'])
      assert.equal(parseDuration(bad), undefined, bad);
  });
});

describe('update intervals', () => {
  it('turns sy:updatePeriod and sy:updateFrequency into minutes', () => {
    assert.equal(updateInterval('hourly', '2'), 30);
    assert.equal(updateInterval('daily', undefined), 1440);
    assert.equal(updateInterval(undefined, '4'), 360);
    assert.equal(updateInterval('weekly', '1'), 10080);
    assert.equal(updateInterval(undefined, undefined), undefined);
    assert.equal(updateInterval('fortnightly', '1'), undefined);
    assert.equal(updateInterval('daily', '0'), undefined);
  });
  it('reads ttl minutes', () => {
    assert.equal(parseMinutes(' 60 '), 60);
    assert.equal(parseMinutes('0'), undefined);
    assert.equal(parseMinutes('1h'), undefined);
  });
});
