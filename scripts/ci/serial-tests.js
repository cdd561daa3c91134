// Test files that run alone, one at a time, before the rest of the suite runs several files at once
// (scripts/run-tests.js). Each entry says why it cannot share the machine. Keep this list short:
// every file here adds its whole duration to the run's wall time. Most are quick unit tests that
// bound the time of a CPU-bound step (a linear-time guard): with other files computing beside them
// they measure the machine, not the code.
const LINEAR = 'asserts a CPU-bound step ends within a fixed time (a linear-time guard)';

export const SERIAL = {
  'src/web/range.test.ts': `${LINEAR}: a long Range header parsed in under 20 ms`,
  'src/app/transcripts.test.ts': `${LINEAR}: 2 s`,
  'src/app/routes/player.test.ts': `${LINEAR}: 1.5 s`,
  'src/feeds/entities.test.ts': `${LINEAR}: hostile entities in under 1 s (failed at 4 files at a time on a loaded machine)`,
  'src/feeds/robustness.test.ts': `${LINEAR}: 500 ms`,
  'src/feeds/corpus.test.ts': `${LINEAR}: 500 ms per feed`,
  'src/feeds/parse.test.ts': `${LINEAR}: a 9 MiB feed in under 5 s, a refusal in under 50 ms (failed at 4 files at a time on a loaded machine)`,
  'src/feeds/xml-read.test.ts': `${LINEAR}: 200 ms`,
  'src/feeds/text.test.ts': `${LINEAR}: 1 s`,
  'src/media/captions-format.test.ts': `${LINEAR}: 1 s`,
  'src/media/make-derivative.test.ts':
    'an aborted ffmpeg run must be gone within 1.5 s, while ffmpeg uses every core',
  'src/aggregator/discover.test.ts': `${LINEAR}: 3 s`,
  'src/engine/web-seed-worker.test.ts':
    'counts the requests a worker made after fixed sleeps (300 ms); failed at 4 files at a time on a loaded machine',
  'test/fuzz-corpus.test.ts': `${LINEAR}: each saved fuzz input in under 2 s`,
};
