import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressBar, formatBytes, formatDuration, formatProgressLine } from './progress.js';

describe('progress bar', () => {
  it('formats a line with bar, percent, amounts, rate and time left', () => {
    const line = formatProgressLine('hashing', 1024 ** 3, 2 * 1024 ** 3, 0.5);
    assert.equal(line, 'hashing  [##########----------]   50%  1.0 GiB/2.0 GiB  2.0 GiB/s  0:01 left');
  });

  it('formats sizes and durations', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatDuration(75), '1:15');
    assert.equal(formatDuration(3700), '1:01:40');
  });

  it('draws nothing when the stream is not a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const bar = createProgressBar({ label: 'x', stream, force: true });
    bar.update(1, 2);
    bar.finish();
    assert.equal(bar.active, false);
    assert.deepEqual(written, []);
  });

  it('draws on a terminal and erases itself at the end', () => {
    const written: string[] = [];
    const stream = {
      isTTY: true,
      columns: 100,
      write: (s: string) => written.push(s),
    } as unknown as NodeJS.WriteStream;
    const bar = createProgressBar({ label: 'hashing', stream, force: true });
    bar.update(2, 2);
    bar.finish();
    assert.match(written[0]!, /^\rhashing {2}\[#{20}\] {2}100%/);
    assert.equal(written.at(-1), '\r\x1b[K');
  });
});
