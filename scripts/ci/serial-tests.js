// Test files that run alone, one at a time, before the rest of the suite runs several files at once
// (scripts/run-tests.js). Each entry says why it cannot share the machine. Keep this list short:
// every file here adds its whole duration to the run's wall time.
export const SERIAL = {};
