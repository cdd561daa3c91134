// Starts the fuzzing worker (worker.ts) with tsx's loader registered in this thread: a worker
// thread does not run its parent's `--import tsx` hooks before resolving a `.ts` entry point.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
